import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class ContainerExistsCommand extends TsmanCommand {
  static override paths = [['container', 'exists']];
  static override usage = Command.Usage({ category: 'Containers', description: 'Check if a container exists (exit 0) or not (exit 1)', examples: [['Check', 'tsman container exists web']] });
  name = Option.String({ required: true });
  async execute(): Promise<number> {
    const engine = await this.api();
    return (await engine.containerExists(this.name)) ? 0 : 1;
  }
}
