import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { noArgs, splitCommas } from './args.js';

export class VolumeListCommand extends TsmanCommand {
  static override paths = [['volume', 'ls'], ['volume', 'list']];
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'List volumes',
    details: 'Filters: name=REGEXP, label=KEY[=VALUE], driver=, scope=, opt=KEY[=VALUE], until=TIME|DURATION, dangling=true|false; a volume is listed when any filter matches (as podman 4.3 does).',
    examples: [
      ['All volumes', 'tsman volume ls'],
      ['Only the names', 'tsman volume ls -q'],
      ['Unused ones', 'tsman volume ls --filter dangling=true'],
      ['A custom table', "tsman volume ls --format 'table {{.Name}} {{.Mountpoint}}'"],
    ],
  });

  filter = Option.Array('-f,--filter', [], { description: 'Filter volume output' });
  format = Option.String('--format', { description: 'Format volume output using Go template (or json)' });
  noheading = Bool('--noheading', false, { description: 'Do not print headers' });
  quiet = Bool('-q,--quiet', false, { description: 'Print volume output in quiet mode' });
  args = Option.Rest();

  async execute(): Promise<number> {
    noArgs(this.args, 'volume ls');
    const engine = await this.api();
    const { volumeReport, volumeJson } = await import('../../engine/volumes.js');
    const { formatRows, isJSONFormat, toGoJSON } = await import('../../format/template.js');
    const vols = await engine.volumeList(splitCommas(this.filter));
    const format = this.quiet ? '{{.Name}}\n' : this.format;
    if (format !== undefined && isJSONFormat(format)) {
      this.out(`${listJson(toGoJSON, vols.map((v) => volumeJson(volumeReport(v))))}\n`);
      return 0;
    }
    if (vols.length === 0) return 0;
    const rows = vols.map((v) => volumeReport(v));
    this.out(formatRows(format ?? 'table {{.Driver}}\t{{.Name}}', rows, { headers: { Name: 'VOLUME NAME' }, noHeading: this.noheading, name: 'ls' }));
    return 0;
  }
}

/** podman's `volume ls --format json` (jsoniter's MarshalIndent): 2 spaces, and an empty map opens onto a blank line. */
function listJson(toGoJSON: (v: unknown, o: { indent: string }) => string, items: unknown[]): string {
  return toGoJSON(items, { indent: '  ' })
    .replace(/^( *)("(?:[^"\\]|\\.)*": )\{\}(,?)$/gm, (_m, ind: string, key: string, comma: string) => `${ind}${key}{\n${ind}  \n${ind}}${comma}`);
}
