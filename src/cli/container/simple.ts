// start, stop, restart, kill, rm, wait, exists, cleanup: one target list each, one report per
// target (podman's pattern: errors per container, the last one decides the exit code).
import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { stdout, stderr } from '../../util/stdio.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';
import { byteCompare } from '../../util/human.js';

abstract class MultiCommand extends TsmanCommand {
  static override needsUserNamespace = true;
  all = Bool('-a,--all', false, { description: 'Act on all containers' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  names = Option.Rest();

  async targets(): Promise<string[]> {
    const engine = await this.engine();
    const state = engine.store.read();
    const ctrs = state.containers ?? [];
    if (this.all) return ctrs.map((c) => c.id);
    if (this.latest) {
      const last = [...ctrs].sort((a, b) => byteCompare(b.created, a.created))[0];
      return last ? [last.id] : [];
    }
    if (this.names.length === 0) throw new TsmanError('EUSAGE', `you must provide at least one name or id`);
    return this.names;
  }

  /** Run fn per target, print what it returns, report errors; exit code from the last error. */
  async each(fn: (name: string) => Promise<string | undefined>): Promise<number> {
    let code = 0;
    for (const n of await this.targets()) {
      try {
        const r = await fn(n);
        if (r !== undefined) this.out(`${r}\n`);
      } catch (err) {
        if (!(err instanceof TsmanError)) throw err;
        this.context.stderr.write(`Error: ${err.message}\n`);
        code = err.exitCode;
      }
    }
    return code;
  }
}

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
    const engine = await this.engine();
    const { startByName } = await import('../../engine/containers/index.js');
    if (this.attach) {
      if (this.names.length !== 1) throw new TsmanError('EUSAGE', 'you cannot start and attach multiple containers at once');
      return startByName(engine, this.names[0]!, { stdin: this.interactive ? process.stdin : undefined, stdout: stdout(), stderr: stderr(), detachKeys: this.detachKeys });
    }
    return this.each(async (n) => { await startByName(engine, n); return n; });
  }
}

export class StopCommand extends MultiCommand {
  static override paths = [['stop'], ['container', 'stop']];
  static override usage = Command.Usage({
    category: 'Containers', description: 'Stop one or more containers',
    examples: [['Stop with a 2 second grace period', 'tsman stop -t 2 web']],
  });
  time = Option.String('-t,--time', { description: 'Seconds to wait for stop before killing the container' });
  ignore = Bool('-i,--ignore', false, { description: 'Ignore errors when a specified container is missing' });

  async execute(): Promise<number> {
    const engine = await this.engine();
    const { stopByName } = await import('../../engine/containers/index.js');
    const t = this.time === undefined ? undefined : Number(this.time);
    return this.each(async (n) => (await stopByName(engine, n, t, this.ignore)) ? n : undefined);
  }
}

export class RestartCommand extends MultiCommand {
  static override paths = [['restart'], ['container', 'restart']];
  static override usage = Command.Usage({ category: 'Containers', description: 'Restart one or more containers', examples: [['Restart', 'tsman restart web']] });
  time = Option.String('-t,--time', { description: 'Seconds to wait for stop before killing the container' });

  async execute(): Promise<number> {
    const engine = await this.engine();
    const { stopByName, startByName } = await import('../../engine/containers/index.js');
    const t = this.time === undefined ? undefined : Number(this.time);
    return this.each(async (n) => { await stopByName(engine, n, t, false); await startByName(engine, n); return n; });
  }
}

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

export class RmCommand extends MultiCommand {
  static override paths = [['rm'], ['container', 'rm']];
  static override usage = Command.Usage({
    category: 'Containers', description: 'Remove one or more containers',
    details: 'Exit status: 1 when a container does not exist, 2 when one is running (without -f), 125 otherwise.',
    examples: [['Force-remove a running container', 'tsman rm -f web'], ['Remove all', 'tsman rm -a -f']],
  });
  force = Bool('-f,--force', false, { description: 'Force removal of a running or unusable container' });
  volumes = Bool('-v,--volumes', false, { description: 'Remove anonymous volumes associated with the container' });
  ignore = Bool('-i,--ignore', false, { description: 'Ignore errors when a specified container is missing' });
  depend = Bool('--depend', false, { description: 'Remove container and all containers that depend on it' });
  time = Option.String('-t,--time', { description: 'Seconds to wait for stop before killing the container' });

  async execute(): Promise<number> {
    const engine = await this.engine();
    const { removeByName } = await import('../../engine/containers/index.js');
    // podman prints what it was given (the full id for -a)
    return this.each(async (n) => (await removeByName(engine, n, { force: this.force, volumes: this.volumes, ignore: this.ignore || this.force, timeout: this.time === undefined ? undefined : Number(this.time) })) ? n : undefined);
  }
}

export class WaitCommand extends MultiCommand {
  static override paths = [['wait'], ['container', 'wait']];
  static override usage = Command.Usage({ category: 'Containers', description: 'Block on one or more containers and print their exit codes', examples: [['Wait', 'tsman wait box']] });
  condition = Option.Array('--condition', [], { description: 'Condition to wait on (stopped, exited, running)' });
  interval = Option.String('-i,--interval', { description: 'Time interval to wait before polling for completion' });

  async execute(): Promise<number> {
    const engine = await this.engine();
    const { waitByName } = await import('../../engine/containers/index.js');
    return this.each(async (n) => String(await waitByName(engine, n, this.condition)));
  }
}

export class ContainerExistsCommand extends TsmanCommand {
  static override paths = [['container', 'exists']];
  static override usage = Command.Usage({ category: 'Containers', description: 'Check if a container exists (exit 0) or not (exit 1)', examples: [['Check', 'tsman container exists web']] });
  name = Option.String({ required: true });
  async execute(): Promise<number> {
    const engine = await this.engine();
    const { findContainer } = await import('../../engine/containers/lookup.js');
    return findContainer(engine.store.read(), this.name) ? 0 : 1;
  }
}

export class ContainerCleanupCommand extends TsmanCommand {
  static override paths = [['container', 'cleanup']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({ category: 'Containers', description: 'Clean up the network and mountpoints of one or more containers (run by the monitor when a container exits)', examples: [['Cleanup', 'tsman container cleanup web']] });
  rm = Bool('--rm', false, { description: 'After cleanup, remove the container entirely' });
  names = Option.Rest();
  async execute(): Promise<number> {
    const engine = await this.engine();
    const { cleanupByName } = await import('../../engine/containers/index.js');
    for (const n of this.names) await cleanupByName(engine, n);
    return 0;
  }
}
