import { Command, Option } from 'clipanion';
import { childProcess } from '../../util/builtin.js';
import { TsmanCommand } from '../base.js';
import { TsmanError } from '../../errors.js';

export class UnshareCommand extends TsmanCommand {
  static override paths = [['unshare']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Management',
    description: 'Run a command in the rootless user namespace (a shell when none is given)',
    examples: [['See the mapping', 'tsman unshare cat /proc/self/uid_map'], ['Inspect storage', 'tsman unshare ls -ln ~/.local/share/containers/storage']],
  });

  rootlessNetns = Option.Boolean('--rootless-netns,--rootless-cni', false, { description: 'Join the rootless network namespace too' });
  command = Option.Proxy();

  async execute(): Promise<number> {
    if (this.command[0] === '--help' || this.command[0] === '-h') {
      this.out(this.cli.usage(UnshareCommand, { detailed: true }));
      return 0;
    }
    if (!process.env._TSMAN_USERNS) {
      throw new TsmanError('EUSAGE', 'please use unshare with rootless');
    }
    const engine = await this.engine();
    const argv = this.command.length ? this.command : [process.env.SHELL || '/bin/sh'];
    const env = { ...process.env, CONTAINERS_GRAPHROOT: engine.config.storage.graphroot, CONTAINERS_RUNROOT: engine.config.storage.runroot };
    return await new Promise<number>((resolve) => {
      const child = childProcess().spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env });
      child.on('error', (e) => {
        const notFound = (e as NodeJS.ErrnoException).code === 'ENOENT';
        this.context.stderr.write(`Error: exec: "${argv[0]}": ${notFound ? 'executable file not found in $PATH' : e.message}\n`);
        resolve(notFound ? 127 : 126);
      });
      child.on('exit', (code, sig) => resolve(code ?? 128 + (sig ? (require_os_signal(sig)) : 0)));
    });
  }
}

function require_os_signal(sig: NodeJS.Signals): number {
  const map: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGUSR1: 10, SIGUSR2: 12, SIGPIPE: 13 };
  return map[sig] ?? 0;
}
