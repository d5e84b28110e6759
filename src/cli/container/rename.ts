import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class RenameCommand extends TsmanCommand {
  static override paths = [['rename'], ['container', 'rename']];
  static override usage = Command.Usage({ category: 'Containers', description: 'Rename an existing container', examples: [['Rename', 'tsman rename web web2']] });
  name = Option.String({ required: true });
  newName = Option.String({ required: true });
  async execute(): Promise<number> {
    const engine = await this.api();
    await engine.containerRename(this.name, this.newName);
    return 0;
  }
}
