import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';

export class HistoryCommand extends TsmanCommand {
  static override paths = [['history'], ['image', 'history']];
  static override usage = Command.Usage({
    category: 'Images',
    description: 'Show the history of an image',
    examples: [['History', 'tsman history busybox'], ['Only the commands', "tsman history --format '{{.CreatedBy}}' busybox"]],
  });

  human = Option.Boolean('-H,--human', true, { description: 'Display sizes and dates in human readable format' });
  noTrunc = Bool('--no-trunc', false, { description: 'Do not truncate the output' });
  quiet = Bool('-q,--quiet', false, { description: 'Display the numeric IDs only' });
  format = Option.String('--format', { description: 'Change the output to JSON or a Go template' });
  image = Option.String({ required: true });

  async execute(): Promise<number> {
    const engine = await this.api();
    const rows = await engine.imageHistory(this.image);
    const { historyRow } = await import('../../engine/report.js');
    const { formatRows } = await import('../../format/template.js');
    const reports = rows.map((r) => historyRow(r, this.noTrunc, this.human));
    if (this.quiet) {
      for (const r of reports) this.out(`${r.ID}\n`);
      return 0;
    }
    if (this.format === 'json') {
      this.out(formatRows('json', rows.map((r) => ({ id: r.id, created: r.created, CreatedBy: r.createdBy, size: r.size, comment: r.comment, tags: r.tags.length ? r.tags : null }))));
      return 0;
    }
    this.out(formatRows(this.format ?? 'table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}', reports, { headers: { CreatedBy: 'CREATED BY' } }));
    return 0;
  }
}
