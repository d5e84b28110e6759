import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { noArgs } from './args.js';

export class NetworkPruneCommand extends TsmanCommand {
  static override paths = [['network', 'prune']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Remove all unused networks',
    details: 'Networks no container uses are removed (never the default network). The command prompts for confirmation which can be overridden with the --force flag. Filters: label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME|DURATION.',
    examples: [
      ['Without asking', 'tsman network prune -f'],
      ['Only some', 'tsman network prune -f --filter label=tmp=yes'],
    ],
  });

  filter = Option.Array('--filter', [], { description: "Provide filter values (e.g. 'label=<key>=<value>')" });
  force = Bool('-f,--force', false, { description: 'do not prompt for confirmation' });
  args = Option.Rest();

  async execute(): Promise<number> {
    noArgs(this.args, 'network prune');
    const engine = await this.api();
    await engine.networkPruneCandidates(this.filter); // a bad filter fails before the prompt
    if (!this.force) {
      this.out('WARNING! This will remove all networks not used by at least one container.\n');
      const { confirm } = await import('../prompt.js');
      if (!(await confirm(this, 'Are you sure you want to continue? [y/N] '))) return 0;
    }
    for (const n of await engine.networkPrune(this.filter)) this.out(`${n}\n`);
    return 0;
  }
}
