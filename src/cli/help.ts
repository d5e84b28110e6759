import { Command, Option } from 'clipanion';
import { TsmanCommand } from './base.js';

export class HelpCommand extends TsmanCommand {
  static override paths = [['help'], ['-h'], ['--help']];
  static override usage = Command.Usage({
    description: 'Help about any command',
    examples: [['General help', 'tsman help'], ['Help for pull', 'tsman help pull']],
  });

  topic = Option.Rest();

  async execute(): Promise<number> {
    if (this.topic.length > 0) {
      return this.cli.run([...this.topic, '--help']);
    }
    this.out(this.cli.usage(null));
    return 0;
  }
}
