import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class TagCommand extends TsmanCommand {
  static override paths = [['tag'], ['image', 'tag']];
  static override usage = Command.Usage({
    category: 'Images',
    description: 'Add an additional name to a local image',
    examples: [['Tag an image', 'tsman tag 127.0.0.1:5000/tsman/busybox myimage:v1']],
  });

  image = Option.String({ required: true });
  targets = Option.Rest({ required: 1 });

  async execute(): Promise<number> {
    const engine = await this.api();
    await engine.imageTag(this.image, this.targets);
    return 0;
  }
}

export class UntagCommand extends TsmanCommand {
  static override paths = [['untag'], ['image', 'untag']];
  static override usage = Command.Usage({
    category: 'Images',
    description: 'Remove a name from a local image (all names when none is given)',
    examples: [['Untag', 'tsman untag busybox myimage:v1']],
  });

  image = Option.String({ required: true });
  targets = Option.Rest();

  async execute(): Promise<number> {
    const engine = await this.api();
    await engine.imageUntag(this.image, this.targets);
    return 0;
  }
}
