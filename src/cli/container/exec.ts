import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';

export class ExecCommand extends TsmanCommand {
  static override paths = [['exec'], ['container', 'exec']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Containers', description: 'Run a process in a running container',
    details: 'The exit code is the process\'; 126 when the command cannot be invoked, 127 when it is not found.',
    examples: [['A shell', 'tsman exec -it web sh'], ['As another user', 'tsman exec -u 1000 web id']],
  });
  interactive = Bool('-i,--interactive', false, { description: 'Keep STDIN open even if not attached' });
  tty = Bool('-t,--tty', false, { description: 'Allocate a pseudo-TTY' });
  detach = Bool('-d,--detach', false, { description: 'Run the exec session in detached mode (backgrounded)' });
  env = Option.Array('-e,--env', [], { description: 'Set environment variables' });
  envFile = Option.Array('--env-file', [], { description: 'Read in a file of environment variables' });
  user = Option.String('-u,--user', { description: 'Sets the username or UID used and optionally the groupname or GID' });
  workdir = Option.String('-w,--workdir', { description: 'Working directory inside the container' });
  privileged = Bool('--privileged', false, { description: 'Give the process extended Linux capabilities' });
  detachKeys = Option.String('--detach-keys', { description: 'Select the key sequence for detaching a container' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  container = Option.String({ required: true });
  command = Option.Proxy({ required: 1 });

  async execute(): Promise<number> {
    const engine = await this.api();
    return engine.containerExec(this.container, this.command, {
      interactive: this.interactive, tty: this.tty, detach: this.detach, env: this.env, envFile: this.envFile,
      user: this.user, workdir: this.workdir, privileged: this.privileged, detachKeys: this.detachKeys,
      out: (s) => this.out(s),
    });
  }
}
