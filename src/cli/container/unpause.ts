import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class UnpauseCommand extends TsmanCommand {
  static override paths = [['unpause'], ['container', 'unpause']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({ category: 'Containers', description: 'Unpause the processes in one or more containers', examples: [['Unpause', 'tsman unpause web']] });
  names = Option.Rest({ required: 1 });
  async execute(): Promise<number> {
    const engine = await this.api();
    for (const n of this.names) { await engine.containerPause(n, false); this.out(`${n}\n`); }
    return 0;
  }
}
