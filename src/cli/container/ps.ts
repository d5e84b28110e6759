import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { mark } from '../../util/timing.js';
import { Bool } from '../options.js';
import { byteCompare } from '../../util/human.js';

export class PsCommand extends TsmanCommand {
  static override paths = [['ps'], ['container', 'ls'], ['container', 'list'], ['container', 'ps']];
  static override usage = Command.Usage({
    category: 'Containers', description: 'List containers',
    examples: [['Running containers', 'tsman ps'], ['All, IDs only', 'tsman ps -aq'], ['Exited ones', 'tsman ps -a --filter status=exited']],
  });
  all = Bool('-a,--all', false, { description: 'Show all the containers, default is only running containers' });
  quiet = Bool('-q,--quiet', false, { description: 'Print the numeric IDs of the containers only' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  last = Option.String('-n,--last', { description: 'Print the n last created containers (all states)' });
  size = Bool('-s,--size', false, { description: 'Display the total file sizes' });
  noTrunc = Bool('--no-trunc', false, { description: 'Display the extended information' });
  noheading = Bool('--noheading', false, { description: 'Do not print headers' });
  format = Option.String('--format', { description: 'Pretty-print containers to JSON or using a Go template' });
  filter = Option.Array('-f,--filter', [], { description: 'Filter output based on conditions given' });
  sort = Option.String('--sort', 'created', { description: 'Sort output by: command, created, id, image, names, runningfor, size, status' });

  async execute(): Promise<number> {
    const engine = await this.api();
    const { psRow, psJson, containerSizes, sizeText } = await import('../../engine/containers/report.js');
    const { formatRows } = await import('../../format/template.js');
    mark('engine open');
    let list = await engine.containerList({ all: this.all || this.latest || this.last !== undefined, filters: this.filter });
    mark('listed');
    // podman lists the oldest first; -l and -n take the most recently created ones
    list.sort((a, b) => byteCompare(a.c.created, b.c.created));
    if (this.latest) list = list.slice(-1);
    if (this.last !== undefined && Number(this.last) > 0) list = list.slice(list.length - Math.min(Number(this.last), list.length));
    if (this.quiet) {
      for (const { c } of list) this.out(`${this.noTrunc ? c.id : c.id.slice(0, 12)}\n`);
      return 0;
    }
    const sizes = this.size ? await Promise.all(list.map(async ({ c }) => containerSizes(await this.engine(), c))) : undefined;
    if (this.format === 'json') {
      this.out(formatRows('json', list.map(({ c, st }, i) => ({ ...psJson(c, st), ...(sizes ? { Size: sizes[i] } : {}) }))));
      return 0;
    }
    const rows = list.map(({ c, st }, i) => ({ ...psRow(c, st, this.noTrunc), ...(sizes ? { Size: sizeText(sizes[i]!) } : {}) }));
    mark('rows');
    const format = this.format ?? `table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}${this.size ? '\t{{.Size}}' : ''}`;
    this.out(formatRows(format, rows, { headers: { ID: 'CONTAINER ID', CreatedHuman: 'CREATED', Names: 'NAMES' }, noHeading: this.noheading }));
    mark('printed');
    return 0;
  }
}
