import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { exactArgs } from './args.js';

export class VolumeExistsCommand extends TsmanCommand {
  static override paths = [['volume', 'exists']];
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Check if a volume exists (exit 0 if it does, 1 if not; the exact name only)',
    examples: [['Check', 'tsman volume exists myvol']],
  });

  args = Option.Rest();

  async execute(): Promise<number> {
    exactArgs(this.args, 1);
    const engine = await this.api();
    return (await engine.volumeExists(this.args[0]!)) ? 0 : 1;
  }
}
