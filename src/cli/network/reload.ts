import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';

export class NetworkReloadCommand extends TsmanCommand {
  static override paths = [['network', 'reload']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Networks',
    description: "Reload firewall rules for one or more containers (after something flushed the host's nftables rules)",
    examples: [['All running containers', 'tsman network reload --all'], ['One', 'tsman network reload web']],
  });
  all = Bool('-a,--all', false, { description: 'Reload network configuration of all containers' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  names = Option.Rest();

  async execute(): Promise<number> {
    const engine = await this.api();
    for (const r of await engine.networkReload({ names: this.names, all: this.all, latest: this.latest })) this.out(`${r.id}\n`);
    return 0;
  }
}
