import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { noArgs } from './args.js';

export class VolumePruneCommand extends TsmanCommand {
  static override paths = [['volume', 'prune']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Remove all unused volumes',
    details: 'Volumes that are not currently used by a container will be removed. The command prompts for confirmation which can be overridden with the --force flag. Note all data will be destroyed.',
    examples: [
      ['Without asking', 'tsman volume prune -f'],
      ['Only some', 'tsman volume prune -f --filter label=tmp=yes'],
    ],
  });

  filter = Option.Array('--filter', [], { description: "Provide filter values (e.g. 'label=<key>=<value>')" });
  force = Bool('-f,--force', false, { description: 'Do not prompt for confirmation' });
  args = Option.Rest();

  async execute(): Promise<number> {
    noArgs(this.args, 'volume prune');
    const engine = await this.api();
    if (!this.force) {
      this.out('WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:\n');
      const victims = await engine.volumePruneCandidates(this.filter);
      if (victims.length === 0) {
        this.out('No dangling volumes found\n');
        return 0;
      }
      for (const v of victims) this.out(`${v.name}\n`);
      const { confirm } = await import('../prompt.js');
      if (!(await confirm(this, 'Are you sure you want to continue? [y/N] '))) return 0;
    }
    for (const n of await engine.volumePrune(this.filter)) this.out(`${n}\n`);
    return 0;
  }
}
