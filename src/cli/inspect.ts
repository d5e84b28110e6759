import { Command, Option } from 'clipanion';
import { TsmanCommand } from './base.js';
import { printInspect, reportErrors } from './image/inspect.js';
import { TsmanError } from '../errors.js';

export class InspectCommand extends TsmanCommand {
  static override paths = [['inspect']];
  static override usage = Command.Usage({
    category: 'Management',
    description: 'Display the configuration of objects (images for now; containers when they exist)',
    examples: [['Inspect an image', "tsman inspect --format '{{.Id}}' busybox"]],
  });

  format = Option.String('-f,--format', { description: 'Format the output using the given Go template' });
  type = Option.String('-t,--type', 'all', { description: 'Specify inspect-object type ("image", "container" or "all")' });
  size = Option.Boolean('-s,--size', false, { description: 'Display total file size' });
  names = Option.Rest({ required: 1 });

  async execute(): Promise<number> {
    if (!['all', 'image', 'container', 'volume', 'network', 'pod'].includes(this.type)) {
      throw new TsmanError('EUSAGE', `invalid type "${this.type}": must be one of container, image, volume, network, pod, all`);
    }
    const engine = await this.api();
    const found: unknown[] = [];
    const errs: TsmanError[] = [];
    for (const n of this.names) {
      if (this.type === 'all' || this.type === 'container') {
        const r = await engine.containerInspect([n]);
        if (r.found.length) { found.push(...r.found); continue; }
      }
      if (this.type === 'all' || this.type === 'image') {
        const r = await engine.imageInspect([n]);
        if (r.found.length) { found.push(...r.found); continue; }
      }
      errs.push(this.type === 'all'
        ? new TsmanError('ENOTFOUND', `no such object: "${n}"`)
        : this.type === 'image' ? new TsmanError('ENOIMAGE', `${n}: image not known`)
          : new TsmanError('ENOTFOUND', `no such ${this.type} ${n}`));
    }
    await printInspect(this, found, this.format);
    return reportErrors(this, errs);
  }
}
