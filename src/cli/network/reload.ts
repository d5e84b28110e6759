import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';

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
    if (!this.all && !this.latest && this.names.length === 0) throw new TsmanError('EUSAGE', 'you must provide at least one name or id');
    const engine = await this.engine();
    const { mustFindContainer } = await import('../../engine/containers/lookup.js');
    const { currentState } = await import('../../engine/containers/lifecycle.js');
    const state = engine.store.read();
    let ctrs = this.all ? state.containers ?? [] : this.names.map((n) => mustFindContainer(state, n));
    if (this.latest) ctrs = [...(state.containers ?? [])].sort((a, b) => Date.parse(b.created) - Date.parse(a.created)).slice(0, 1);
    const { reloadFirewall } = await import('../../network/setup.js');
    await reloadFirewall(engine);
    for (const c of ctrs) {
      const st = await currentState(engine, c.id);
      // podman lists the containers whose network it set up again: running ones with networks
      if ((st.status === 'running' || st.status === 'paused') && c.config.network === 'bridge') this.out(`${c.id}\n`);
    }
    return 0;
  }
}
