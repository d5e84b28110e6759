import { Command } from 'clipanion';
import { CreateFlagsCommand } from './flags.js';
import { Bool } from '../options.js';
import { Option } from 'clipanion';

export class RunCommand extends CreateFlagsCommand {
  static override paths = [['run'], ['container', 'run']];
  static override usage = Command.Usage({
    category: 'Containers',
    description: 'Run a command in a new container',
    details: 'The exit code is the container\'s; 125 when tsman fails, 126 when the command cannot be invoked, 127 when it is not found.',
    examples: [
      ['Print hello', 'tsman run --rm 127.0.0.1:5000/tsman/busybox echo hello'],
      ['A shell', 'tsman run -it --rm busybox sh'],
      ['A detached web server', 'tsman run -d --name web busybox httpd -f -p 8080'],
    ],
  });

  detach = Bool('-d,--detach', false, { description: 'Run container in background and print container ID' });
  sigProxy = Option.Boolean('--sig-proxy', true, { description: 'Proxy received signals to the process' });
  detachKeys = Option.String('--detach-keys', { description: 'Override the key sequence for detaching a container' });

  async execute(): Promise<number> {
    const engine = await this.api();
    const { makeProgress } = await import('../../image/progress.js');
    return engine.containerRun(this.createOptions(makeProgress(this.quiet)), {
      detach: this.detach, cidfile: this.cidfile, sigProxy: this.sigProxy, detachKeys: this.detachKeys,
      out: (s) => this.out(s),
    });
  }
}
