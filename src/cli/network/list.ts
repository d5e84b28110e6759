import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { noArgs } from './args.js';

export class NetworkListCommand extends TsmanCommand {
  static override paths = [['network', 'ls']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'List networks',
    details: 'Filters: name=REGEXP, id=REGEXP, driver=, label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME|DURATION, dangling=true|false; values of one filter are OR\'ed, different filters AND\'ed (as podman 4.3).',
    examples: [
      ['All networks', 'tsman network ls'],
      ['Only the names', 'tsman network ls -q'],
      ['Unused ones', 'tsman network ls --filter dangling=true'],
      ['A custom table', "tsman network ls --format 'table {{.Name}} {{.NetworkInterface}} {{.Labels}}'"],
    ],
  });

  filter = Option.Array('-f,--filter', [], { description: 'Provide filter values (e.g. name=podman)' });
  format = Option.String('--format', { description: 'Pretty-print networks to JSON or using a Go template' });
  noheading = Bool('--noheading', false, { description: 'Do not print headers' });
  noTrunc = Bool('--no-trunc', false, { description: 'Do not truncate the network ID' });
  quiet = Bool('-q,--quiet', false, { description: 'display only names' });
  args = Option.Rest();

  async execute(): Promise<number> {
    noArgs(this.args, 'network ls');
    const engine = await this.api();
    const { networkListRow, networkJson } = await import('../../engine/networks.js');
    const { formatRows, isJSONFormat, toGoJSON } = await import('../../format/template.js');
    const nets = await engine.networkList(this.filter);
    if (this.quiet) {
      for (const n of nets) this.out(`${n.name}\n`);
      return 0;
    }
    if (this.format !== undefined && isJSONFormat(this.format)) {
      this.out(`${toGoJSON(nets.map((n) => networkJson(n)), { indent: '  ', escapeHTML: false })}\n`);
      return 0;
    }
    const rows = nets.map((n) => networkListRow(n, this.noTrunc));
    this.out(formatRows(this.format ?? 'table {{.ID}}\t{{.Name}}\t{{.Driver}}', rows, {
      headers: { ID: 'NETWORK ID' }, noHeading: this.noheading, name: 'ls',
    }));
    return 0;
  }
}
