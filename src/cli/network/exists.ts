import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { exactArgs } from './args.js';

export class NetworkExistsCommand extends TsmanCommand {
  static override paths = [['network', 'exists']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Check if a network exists (exit 0 if it does, 1 if not; name, id or id prefix)',
    examples: [['Check', 'tsman network exists mynet']],
  });

  args = Option.Rest();

  async execute(): Promise<number> {
    exactArgs(this.args, 1);
    const engine = await this.api();
    return (await engine.networkExists(this.args[0]!)) ? 0 : 1;
  }
}
