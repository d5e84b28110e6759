import { Command, Option } from 'clipanion';
import { Bool } from '../options.js';
import { MultiCommand } from './multi.js';

export class StopCommand extends MultiCommand {
  static override paths = [['stop'], ['container', 'stop']];
  static override usage = Command.Usage({
    category: 'Containers', description: 'Stop one or more containers',
    examples: [['Stop with a 2 second grace period', 'tsman stop -t 2 web']],
  });
  time = Option.String('-t,--time', { description: 'Seconds to wait for stop before killing the container' });
  ignore = Bool('-i,--ignore', false, { description: 'Ignore errors when a specified container is missing' });

  async execute(): Promise<number> {
    const engine = await this.api();
    const timeout = this.time === undefined ? undefined : Number(this.time);
    return this.printReports(await engine.containerStop(this.targets(), { timeout, ignore: this.ignore }));
  }
}
