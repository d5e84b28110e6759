import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';

export class ImagesCommand extends TsmanCommand {
  static override paths = [['images'], ['image', 'ls'], ['image', 'list']];
  static override usage = Command.Usage({
    category: 'Images',
    description: 'List images in local storage',
    examples: [
      ['List all images', 'tsman images'],
      ['Only the IDs', 'tsman images -q'],
      ['A custom table', "tsman images --format 'table {{.ID}} {{.Repository}} {{.Tag}}'"],
      ['Images from one repository', 'tsman images --filter reference=127.0.0.1:5000/tsman/*'],
    ],
  });

  all = Bool('-a,--all', false, { description: 'Show all images (default hides intermediate images)' });
  quiet = Bool('-q,--quiet', false, { description: 'Display only image IDs' });
  digests = Bool('--digests', false, { description: 'Show digests' });
  noTrunc = Bool('--no-trunc', false, { description: 'Do not truncate output' });
  noheading = Bool('-n,--noheading', false, { description: 'Do not print column headings' });
  format = Option.String('--format', { description: 'Change the output format to JSON or a Go template' });
  filter = Option.Array('-f,--filter', [], { description: 'Filter output based on conditions provided' });
  sort = Option.String('--sort', 'created', { description: 'Sort by created, id, repository, size or tag' });
  names = Option.Rest();

  async execute(): Promise<number> {
    const engine = await this.api();
    const filters = [...this.filter, ...this.names.map((n) => `reference=${n}`)];
    const rows = await engine.imageList({ all: this.all, filters });
    const { imageRow, sortImageRows } = await import('../../engine/report.js');
    const reports = sortImageRows(rows.map((r) => imageRow(r, this.noTrunc)), this.sort);
    const { formatRows } = await import('../../format/template.js');
    if (this.quiet) {
      const seen = new Set<string>();
      for (const r of reports) if (!seen.has(r.ID)) { seen.add(r.ID); this.out(`${r.ID}\n`); }
      return 0;
    }
    if (this.format === 'json') {
      const { imageJson } = await import('../../engine/report.js');
      const seen = new Set<string>();
      const list = [];
      for (const r of rows) if (!seen.has(r.record.id)) { seen.add(r.record.id); list.push(imageJson(r)); }
      this.out(formatRows('json', list));
      return 0;
    }
    const format = this.format ?? (this.digests
      ? 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.Created}}\t{{.Size}}'
      : 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}');
    this.out(formatRows(format, reports, { headers: { ID: 'IMAGE ID' }, noHeading: this.noheading }));
    return 0;
  }
}
