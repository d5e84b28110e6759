import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';

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
    const engine = await this.api();
    const reports = await engine.containerPort({ all: this.all, latest: this.latest, name: this.name, port: this.port });
    for (const r of reports) {
      if (this.all) for (const l of r.lines) this.out(`${r.id.slice(0, 12)}\t${l}\n`);
      else if (r.lines.length) this.out(r.lines.join('\n') + '\n');
    }
    return 0;
  }
}
