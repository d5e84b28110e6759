import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class InfoCommand extends TsmanCommand {
  static override paths = [['info'], ['system', 'info']];
  static override usage = Command.Usage({
    category: 'Management',
    description: 'Display tsman related system information',
    examples: [
      ['YAML', 'tsman info'],
      ['The graph root', "tsman info --format '{{.Store.GraphRoot}}'"],
      ['JSON', 'tsman info --format json'],
    ],
  });

  format = Option.String('-f,--format', { description: 'Change the output format to JSON or a Go template' });
  debug = Option.Boolean('-D,--debug', false, { hidden: true });

  async execute(): Promise<number> {
    const engine = await this.api();
    const { toJsonKeys, toYaml } = await import('../../engine/info.js');
    const data = await engine.systemInfo();
    if (!this.format) {
      this.out(toYaml(toJsonKeys(data)).replace(/^\n/, ''));
    } else if (this.format === 'json') {
      this.out(JSON.stringify(toJsonKeys(data), null, 4) + '\n');
    } else {
      const { formatOne } = await import('../../format/template.js');
      this.out(formatOne(this.format, data));
    }
    return 0;
  }
}
