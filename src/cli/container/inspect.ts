import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { printInspect, reportErrors } from '../image/inspect.js';
import { TsmanError } from '../../errors.js';

export class ContainerInspectCommand extends TsmanCommand {
  static override paths = [['container', 'inspect']];
  static override usage = Command.Usage({
    category: 'Containers', description: 'Display the configuration of a container',
    examples: [['The pid', "tsman container inspect --format '{{.State.Pid}}' web"]],
  });
  format = Option.String('-f,--format', { description: 'Format the output using the given Go template' });
  size = Option.Boolean('-s,--size', false, { description: 'Display total file size' });
  names = Option.Rest({ required: 1 });

  async execute(): Promise<number> {
    const engine = await this.api();
    const { found, missing } = await engine.containerInspect(this.names);
    await printInspect(this, found, this.format);
    return reportErrors(this, missing.map((n) => new TsmanError('ENOTFOUND', `no such container ${n}`)));
  }
}
