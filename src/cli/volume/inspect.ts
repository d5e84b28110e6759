import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';

export class VolumeInspectCommand extends TsmanCommand {
  static override paths = [['volume', 'inspect']];
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Display detailed information on one or more volumes',
    examples: [
      ['Full JSON', 'tsman volume inspect myvol'],
      ['Every volume', 'tsman volume inspect --all'],
      ['Some fields', "tsman volume inspect --format '{{.Driver}} {{.Mountpoint}}' myvol"],
    ],
  });

  all = Bool('-a,--all', false, { description: 'Inspect all volumes' });
  format = Option.String('-f,--format', { description: 'Format volume output using Go template (default json)' });
  names = Option.Rest();

  async execute(): Promise<number> {
    if ((this.names.length === 0) !== this.all) throw new TsmanError('EUSAGE', 'provide one or more volume names or use --all');
    const engine = await this.api();
    const { volumeReport, volumeJson } = await import('../../engine/volumes.js');
    const { formatInspectJson, formatOne } = await import('../../format/template.js');
    const { found, errors } = await engine.volumeInspect(this.names, this.all);
    const reports = found.map((v) => volumeReport(v));
    if (!this.format || this.format === 'json') this.out(formatInspectJson(reports.map((r) => volumeJson(r))));
    else for (const r of reports) this.out(formatOne(this.format, r, { name: 'inspect' }));
    if (errors.length === 0) return 0;
    // podman returns the first error and prints the others before it
    for (const e of errors.slice(1)) this.context.stderr.write(`error ${e.message}\n`);
    throw errors[0]!;
  }
}
