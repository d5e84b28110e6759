import { Command, Option } from 'clipanion';
import { MultiCommand } from './multi.js';

export class RestartCommand extends MultiCommand {
  static override paths = [['restart'], ['container', 'restart']];
  static override usage = Command.Usage({ category: 'Containers', description: 'Restart one or more containers', examples: [['Restart', 'tsman restart web']] });
  time = Option.String('-t,--time', { description: 'Seconds to wait for stop before killing the container' });

  async execute(): Promise<number> {
    const engine = await this.api();
    const timeout = this.time === undefined ? undefined : Number(this.time);
    return this.printReports(await engine.containerRestart(this.targets(), { timeout }));
  }
}
