import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class ImageExistsCommand extends TsmanCommand {
  static override paths = [['image', 'exists']];
  static override usage = Command.Usage({
    category: 'Images',
    description: 'Check if an image exists in local storage (exit 0 if it does, 1 if not)',
    examples: [['Check', 'tsman image exists busybox']],
  });

  image = Option.String({ required: true });

  async execute(): Promise<number> {
    const engine = await this.api();
    return (await engine.imageExists(this.image)) ? 0 : 1;
  }
}
