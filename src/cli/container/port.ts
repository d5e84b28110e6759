import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';

export class PortCommand extends TsmanCommand {
  static override paths = [['port'], ['container', 'port']];
  static override usage = Command.Usage({
    category: 'Containers', description: 'List port mappings or a specific mapping for the container',
    examples: [['All mappings of web', 'tsman port web'], ['Where 80/tcp goes', 'tsman port web 80/tcp'], ['Every container', 'tsman port -a']],
  });
  all = Bool('-a,--all', false, { description: 'Display port information for all containers' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  name = Option.String({ required: false });
  port = Option.String({ required: false });
  async execute(): Promise<number> {
    const engine = await this.engine();
    const { mustFindContainer } = await import('../../engine/containers/lookup.js');
    const { portLines } = await import('../../network/ports.js');
    const state = engine.store.read();
    if (this.all) {
      if (this.port !== undefined) throw new TsmanError('EUSAGE', 'the -a/--all option takes no port argument');
      const filter = this.name;
      for (const c of state.containers ?? []) {
        const lines = portLines(c.config.ports ?? [], filter);
        for (const l of lines) this.out(`${c.id.slice(0, 12)}\t${l}\n`);
      }
      return 0;
    }
    let target = this.name;
    if (this.latest) {
      const last = [...(state.containers ?? [])].sort((a, b) => Date.parse(b.created) - Date.parse(a.created))[0];
      if (!last) throw new TsmanError('EGENERIC', 'no containers to list');
      if (this.port === undefined && this.name !== undefined) this.port = this.name;
      target = last.id;
    }
    if (!target) throw new TsmanError('EUSAGE', 'you must supply a running container name or ID');
    const c = mustFindContainer(state, target);
    if (this.port !== undefined) {
      const [num, proto] = this.port.split('/');
      if (!/^\d+$/.test(num ?? '') || (proto !== undefined && !['tcp', 'udp', 'sctp'].includes(proto))) {
        throw new TsmanError('EUSAGE', `invalid port "${this.port}"`);
      }
      const lines = portLines(c.config.ports ?? [], `${num}/${proto ?? 'tcp'}`);
      if (lines.length === 0) throw new TsmanError('EGENERIC', `failed to find published port "${this.port}"`);
      this.out(lines.join('\n') + '\n');
      return 0;
    }
    const lines = portLines(c.config.ports ?? []);
    if (lines.length) this.out(lines.join('\n') + '\n');
    return 0;
  }
}
