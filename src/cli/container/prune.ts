import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';

export class ContainerPruneCommand extends TsmanCommand {
  static override paths = [['container', 'prune']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({ category: 'Containers', description: 'Remove all non running containers', examples: [['Without asking', 'tsman container prune -f']] });
  force = Bool('-f,--force', false, { description: 'Do not prompt for confirmation' });
  filter = Option.Array('--filter', [], { description: 'Provide filter values' });
  async execute(): Promise<number> {
    if (!this.force) {
      const { confirm } = await import('../prompt.js');
      if (!(await confirm(this, 'WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] '))) return 0;
    }
    const engine = await this.api();
    for (const id of await engine.containerPrune()) this.out(`${id}\n`);
    return 0;
  }
}
