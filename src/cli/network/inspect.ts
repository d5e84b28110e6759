import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { minArgs } from './args.js';

export class NetworkInspectCommand extends TsmanCommand {
  static override paths = [['network', 'inspect']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Display detailed information on one or more networks',
    details: 'Template fields: .Name .ID .Driver .NetworkInterface .Created .Subnets (each .Subnet .Gateway .LeaseRange) .IPv6Enabled .Internal .DNSEnabled .Labels .Options .IPAMOptions.',
    examples: [
      ['Full JSON', 'tsman network inspect mynet'],
      ['The subnets', "tsman network inspect --format '{{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}}' mynet"],
    ],
  });

  format = Option.String('-f,--format', { description: 'Pretty-print network to JSON or using a Go template' });
  names = Option.Rest();

  async execute(): Promise<number> {
    minArgs(this.names, 1);
    const engine = await this.api();
    const { networkReport, networkJson } = await import('../../engine/networks.js');
    const { formatInspectJson, formatOne } = await import('../../format/template.js');
    const { found, errors } = await engine.networkInspect(this.names);
    if (!this.format || this.format === 'json' || /^\s*\{\{\s*json\s*\.\s*\}\}\s*$/.test(this.format)) {
      this.out(formatInspectJson(found.map((n) => networkJson(n))));
    } else {
      for (const n of found) this.out(formatOne(this.format, networkReport(n), { name: 'inspect' }));
    }
    if (errors.length === 0) return 0;
    // podman returns the first error and prints the others before it
    for (const e of errors.slice(1)) this.context.stderr.write(`error ${e.message}\n`);
    throw errors[0]!;
  }
}
