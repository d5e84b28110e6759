import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';

export class ImagePruneCommand extends TsmanCommand {
  static override paths = [['image', 'prune']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Images',
    description: 'Remove unused images (dangling ones; all unused with -a)',
    examples: [['Remove dangling images without asking', 'tsman image prune -f']],
  });

  all = Bool('-a,--all', false, { description: 'Remove all images not in use by containers, not just dangling ones' });
  force = Bool('-f,--force', false, { description: 'Do not prompt for confirmation' });
  external = Bool('--external', false, { description: 'Remove images even when used by external containers' });
  filter = Option.Array('--filter', [], { description: 'Provide filter values (e.g. label=<key>=<value>)' });

  async execute(): Promise<number> {
    if (!this.force) {
      const { confirm } = await import('../prompt.js');
      const q = this.all
        ? 'WARNING! This command removes all images without at least one container associated with them.\nAre you sure you want to continue? [y/N] '
        : 'WARNING! This command removes all dangling images.\nAre you sure you want to continue? [y/N] ';
      if (!(await confirm(this, q))) return 0;
    }
    const engine = await this.api();
    const ids = await engine.imagePrune({ all: this.all, filters: this.filter });
    for (const id of ids) this.out(`${id}\n`);
    return 0;
  }
}
