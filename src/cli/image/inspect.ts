import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class ImageInspectCommand extends TsmanCommand {
  static override paths = [['image', 'inspect']];
  static override usage = Command.Usage({
    category: 'Images',
    description: 'Display the configuration of an image',
    examples: [
      ['Full JSON', 'tsman image inspect 127.0.0.1:5000/tsman/busybox'],
      ['One field', "tsman image inspect --format '{{.Config.Cmd}}' busybox"],
    ],
  });

  format = Option.String('-f,--format', { description: 'Format the output using the given Go template' });
  names = Option.Rest({ required: 1 });

  async execute(): Promise<number> {
    const engine = await this.api();
    const { found, errors } = await engine.imageInspect(this.names);
    await printInspect(this, found, this.format);
    return reportErrors(this, errors);
  }
}

export async function printInspect(cmd: TsmanCommand, found: unknown[], format: string | undefined): Promise<void> {
  const { formatOne, formatInspectJson } = await import('../../format/template.js');
  if (!format || format === 'json') {
    cmd.out(formatInspectJson(found));
    return;
  }
  for (const f of found) cmd.out(formatOne(format, f));
}

export function reportErrors(cmd: TsmanCommand, errors: Array<{ message: string; exitCode?: number }>): number {
  if (errors.length === 0) return 0;
  for (const e of errors.slice(0, -1)) cmd.context.stderr.write(`Error: ${e.message}\n`);
  cmd.context.stderr.write(`Error: ${errors[errors.length - 1]!.message}\n`);
  return 125;
}
