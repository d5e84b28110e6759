import { Command, Option } from 'clipanion';
import { MultiCommand } from './multi.js';

export class WaitCommand extends MultiCommand {
  static override paths = [['wait'], ['container', 'wait']];
  static override usage = Command.Usage({ category: 'Containers', description: 'Block on one or more containers and print their exit codes', examples: [['Wait', 'tsman wait box']] });
  condition = Option.Array('--condition', [], { description: 'Condition to wait on (stopped, exited, running)' });
  interval = Option.String('-i,--interval', { description: 'Time interval to wait before polling for completion' });

  async execute(): Promise<number> {
    const engine = await this.api();
    return this.printReports(await engine.containerWait(this.targets(), { conditions: this.condition }), (r) => String(r.exitCode));
  }
}
