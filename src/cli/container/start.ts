import { Command, Option } from 'clipanion';
import { stdout, stderr } from '../../util/stdio.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';
import { MultiCommand } from './multi.js';

export class StartCommand extends MultiCommand {
  static override paths = [['start'], ['container', 'start']];
  static override usage = Command.Usage({
    category: 'Containers', description: 'Start one or more containers',
    examples: [['Start', 'tsman start web'], ['Start and attach', 'tsman start -a box']],
  });
  attach = Bool('-a,--attach', false, { description: 'Attach container\'s STDOUT and STDERR' });
  interactive = Bool('-i,--interactive', false, { description: 'Keep STDIN open even if not attached' });
  detachKeys = Option.String('--detach-keys', { description: 'Override the key sequence for detaching a container' });
  override all = Bool('--all', false, { description: 'Start all containers regardless of their state or configuration' });

  async execute(): Promise<number> {
    const engine = await this.api();
    if (this.attach) {
      if (this.names.length !== 1) throw new TsmanError('EUSAGE', 'you cannot start and attach multiple containers at once');
      return engine.containerStartAttached(this.names[0]!, { stdin: this.interactive ? process.stdin : undefined, stdout: stdout(), stderr: stderr(), detachKeys: this.detachKeys });
    }
    return this.printReports(await engine.containerStart(this.targets()));
  }
}
