import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class VersionCommand extends TsmanCommand {
  static override paths = [['version'], ['system', 'version']];
  static override usage = Command.Usage({
    category: 'Management',
    description: 'Display the tsman version information',
    examples: [['Version', 'tsman version'], ['Only the version', "tsman version --format '{{.Client.Version}}'"]],
  });

  format = Option.String('-f,--format', { description: 'Change the output format to JSON or a Go template' });

  async execute(): Promise<number> {
    const v = await (await this.api(true)).systemVersion();
    if (this.format === 'json') {
      this.out(JSON.stringify({ Client: v }, null, 4) + '\n');
    } else if (this.format) {
      const { formatOne } = await import('../../format/template.js');
      this.out(formatOne(this.format, { Client: v, Server: null }));
    } else {
      const rows: Array<[string, unknown]> = [
        ['Version', v.Version], ['API Version', v.APIVersion], ['Go Version', v.GoVersion],
        ['Built', v.BuiltTime], ['OS/Arch', v.OsArch],
      ];
      for (const [k, val] of rows) this.out(`${(k + ':').padEnd(16)}${val}\n`);
    }
    return 0;
  }
}
