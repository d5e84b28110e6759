import { Command, Option } from 'clipanion';
import { TsmanError } from '../../errors.js';
import { MultiCommand } from './multi.js';

export class KillCommand extends MultiCommand {
  static override paths = [['kill'], ['container', 'kill']];
  static override usage = Command.Usage({ category: 'Containers', description: 'Kill one or more running containers with a specific signal', examples: [['Send SIGHUP', 'tsman kill -s HUP web']] });
  signal = Option.String('-s,--signal', 'KILL', { description: 'Signal to send to the container' });

  async execute(): Promise<number> {
    const { signalNumber } = await import('../../engine/containers/report.js');
    if (signalNumber(this.signal) === undefined) throw new TsmanError('EUSAGE', `invalid signal: ${this.signal}`);
    const engine = await this.engine();
    const { killByName } = await import('../../engine/containers/index.js');
    return this.each(async (n) => { await killByName(engine, n, this.signal); return n; });
  }
}
