import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';

export class LogsCommand extends TsmanCommand {
  static override paths = [['logs'], ['container', 'logs']];
  static override usage = Command.Usage({
    category: 'Containers', description: 'Fetch the logs of one or more containers',
    examples: [['Follow', 'tsman logs -f web'], ['Last 10 lines with timestamps', 'tsman logs -t --tail 10 web']],
  });
  follow = Bool('-f,--follow', false, { description: 'Follow log output' });
  timestamps = Bool('-t,--timestamps', false, { description: 'Output the timestamps in the log' });
  tail = Option.String('--tail', { description: 'Output the specified number of LINES at the end of the logs' });
  since = Option.String('--since', { description: 'Show logs since TIMESTAMP' });
  until = Option.String('--until', { description: 'Show logs until TIMESTAMP' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  names = Option.Rest();

  async execute(): Promise<number> {
    if (this.names.length === 0 && !this.latest) throw new TsmanError('EUSAGE', 'specify at least one container name or ID to log');
    const engine = await this.api();
    await engine.containerLogs(this.names, {
      follow: this.follow, timestamps: this.timestamps, tail: this.tail === undefined ? undefined : Number(this.tail),
      since: this.since, until: this.until, latest: this.latest,
    });
    return 0;
  }
}
