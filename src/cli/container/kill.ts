import { Command, Option } from 'clipanion';
import { MultiCommand } from './multi.js';

export class KillCommand extends MultiCommand {
  static override paths = [['kill'], ['container', 'kill']];
  static override usage = Command.Usage({ category: 'Containers', description: 'Kill one or more running containers with a specific signal', examples: [['Send SIGHUP', 'tsman kill -s HUP web']] });
  signal = Option.String('-s,--signal', 'KILL', { description: 'Signal to send to the container' });

  async execute(): Promise<number> {
    const engine = await this.api();
    return this.printReports(await engine.containerKill(this.targets(), { signal: this.signal }));
  }
}
