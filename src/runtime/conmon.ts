// Starting containers and exec sessions through conmon, the way podman 4.3 does
// (libpod/oci_conmon_linux.go, oci_conmon_exec_linux.go). conmon runs `runtime create` (or
// `runtime exec --detach`), daemonizes, holds the container's stdio, writes the k8s-file log,
// serves the attach socket and the ctl/winsz fifos in the bundle, and writes the exit code to
// `<exitDir>/<id>` when the process ends.
// Pipes (socketpairs, extra fds of the child; their numbers are passed in the environment):
//   _OCI_SYNCPIPE (fd 3)   conmon -> us: {"data": <pid>} after create, or {"data": -1, "message": ...};
//                          for exec a second message carries the exit code
//   _OCI_STARTPIPE (fd 4)  us -> conmon: one byte to go on (podman first moves conmon to a cgroup);
//                          for exec with --exec-attach a second byte once we are attached
//   _OCI_ATTACHPIPE (fd 5) exec only: conmon -> us: {"data": 0} once its attach socket listens
import { promises as fsp, watch, accessSync, existsSync, constants as fsc, mkdirSync, readFileSync, type FSWatcher } from 'node:fs';
import { unlinkIfExists } from '../util/fsutil.js';
import { randomBytes } from '../util/random.js';
import * as path from 'node:path';
import { fastSpawn, waitExit as waitChild, pipeWrite, closeFdQuiet, readAvailable, readSome, setNonBlocking, type ChildFd, type FastChild } from '../util/spawn.js';
import { pollAsync, POLLIN } from '../util/libc.js';
import { errnoCode, ExitCode, TsmanError } from '../errors.js';
import { runtimeMessage } from './oci.js';
import { openRuntime } from './select.js';
import { attach, type AttachOptions } from './attach.js';

export type LogDriver = 'k8s-file' | 'none' | 'passthrough';

interface CommonOptions {
  id: string;
  name: string;
  runtimePath: string;
  /** the runtime's --root */
  runtimeRoot: string;
  terminal: boolean;
  /** argv of the program conmon runs when the process ends (`tsman container cleanup <id>`) */
  exitCommand?: string[];
  conmonPath?: string;
  /** conmon's --log-level (podman passes its own level; default "warning") */
  logLevel?: string;
  /** extra global options of the runtime */
  runtimeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** how long to wait for conmon's report after `runtime create`/`exec` (default 240 s, podman's) */
  timeoutMs?: number;
}

export interface ConmonOptions extends CommonOptions {
  bundle: string;
  exitDir: string;
  /** conmon's --socket-dir-path; with --full-attach the socket is `<bundle>/attach` anyway */
  socketDir?: string;
  logPath: string;
  logDriver: LogDriver;
  logSizeMax?: number;
  logTag?: string;
  pidFile: string;
  conmonPidFile: string;
  /** keep the container's stdin open for attach (-i) */
  stdin: boolean;
  /** conmon's --persist-dir: it writes `exit` (and `oom`) there too */
  persistDir?: string;
  noPivot?: boolean;
  /** fds conmon inherits and holds until it exits (slirp4netns's --exit-fd) */
  keepFds?: number[];
}

export interface ConmonStarted { containerPid: number; conmonPid: number }

const CONMON_DIRS = ['/usr/libexec/podman', '/usr/local/libexec/podman', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];

export async function findConmon(): Promise<string> {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...CONMON_DIRS];
  for (const d of dirs) {
    const p = path.join(d, 'conmon');
    try {
      if (!existsSync(p)) continue;
      accessSync(p, fsc.X_OK);
      return p;
    } catch { /* next */ }
  }
  throw new TsmanError('ECONFIG', 'could not find a working conmon binary (configured options: []): invalid argument', {
    hint: 'install conmon (apt-get install conmon) or set [engine] conmon_path in containers.conf',
  });
}

export function attachSocketPath(bundle: string): string { return path.join(bundle, 'attach'); }
export function ctlPath(bundle: string): string { return path.join(bundle, 'ctl'); }
export function exitFilePath(exitDir: string, id: string): string { return path.join(exitDir, id); }

/**
 * podman's translation of a runtime's error (libpod getOCIRuntimeError + define.ExitCode): the
 * matching line of the message, a suffix naming the class, and the exit code `run`/`exec` use.
 */
export function ociRuntimeError(runtimeName: string, msg: string): TsmanError {
  const text = msg.replace(/^\n+|\n+$/g, '');
  const denied = /.*(?:permission denied|operation not permitted).*/i.exec(text);
  if (denied) {
    return new TsmanError('EGENERIC', `${runtimeName}: ${denied[0]}: OCI permission denied`, { exitCode: ExitCode.CannotInvoke });
  }
  const missing = /.*(?:executable file not found in|no such file or directory|open executable).*/i.exec(text);
  if (missing) {
    return new TsmanError('EGENERIC', `${runtimeName}: ${missing[0]}: OCI runtime attempted to invoke a command that was not found`, { exitCode: ExitCode.NotFound });
  }
  const code = /not found|executable path is empty|no such file/i.test(text) ? ExitCode.NotFound : ExitCode.CannotInvoke;
  return new TsmanError('EGENERIC', `${runtimeName}: ${text}: OCI runtime error`, { exitCode: code });
}

interface SyncMsg { data: number; message?: string }

/**
 * Newline-separated JSON messages from one of conmon's pipes, read from the fd directly: poll(2)
 * in a worker thread while a message is awaited (in slices, so a reader closed meanwhile lets the
 * process end soon), non-blocking reads on the main thread. No net.Socket: that would load the
 * net and stream modules on the path of every `run`.
 */
class SyncReader {
  private buf = '';
  private msgs: SyncMsg[] = [];
  private ended = false;
  private closed = false;
  private readonly chunk = Buffer.alloc(4096);

  constructor(private readonly fd: number) {
    setNonBlocking(fd);
  }

  private drain(): void {
    while (!this.ended) {
      if (this.closed) { this.ended = true; break; }
      const n = readSome(this.fd, this.chunk);
      if (n === undefined) break;
      if (n === null) { this.ended = true; break; }
      this.buf += this.chunk.toString('utf8', 0, n);
    }
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (!line) continue;
      try {
        this.msgs.push(JSON.parse(line) as SyncMsg);
      } catch {
        this.msgs.push({ data: -1, message: `conmon bytes "${line}": invalid JSON` });
      }
    }
  }

  /** The next message; undefined when the pipe ended first; throws after timeoutMs. */
  async next(timeoutMs: number, what: string): Promise<SyncMsg | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.drain();
      if (this.msgs.length > 0 || this.ended) return this.msgs.shift();
      const left = deadline - Date.now();
      if (left <= 0) throw new TsmanError('EGENERIC', `${what}: timed out waiting for conmon: internal libpod error`);
      await pollAsync(this.fd, POLLIN, Math.min(left, 250));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeFdQuiet(this.fd);
  }
}

function conmonEnv(opts: CommonOptions, pipes: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  delete env.NOTIFY_SOCKET; // must not leak into the container (podman drops it too)
  env._OCI_SYNCPIPE = '3';
  env._OCI_STARTPIPE = '4';
  if (pipes > 2) env._OCI_ATTACHPIPE = '5';
  else delete env._OCI_ATTACHPIPE;
  return env;
}

/** Arguments shared by create and exec (podman's sharedConmonArgs). */
function sharedArgs(o: CommonOptions & { cuuid: string; bundle: string; pidFile: string; exitDir: string; ociLog: string; log: string }): string[] {
  const args = [
    '--api-version', '1',
    '-c', o.id,
    '-u', o.cuuid,
    '-r', o.runtimePath,
    '-b', o.bundle,
    '-p', o.pidFile,
    '-n', o.name,
    '--exit-dir', o.exitDir,
    '--full-attach',
  ];
  for (const a of ['--root', o.runtimeRoot, ...(o.runtimeArgs ?? [])]) args.push('--runtime-arg', a);
  args.push('-l', o.log, '--log-level', o.logLevel ?? 'warning', '--syslog');
  // the runtime's errors as JSON in a file of their own, not mixed into the container's stderr
  args.push('--runtime-arg', '--log-format=json', '--runtime-arg', '--log', `--runtime-arg=${o.ociLog}`);
  return args;
}

function exitCommandArgs(cmd?: string[]): string[] {
  if (!cmd || cmd.length === 0) return [];
  const args = ['--exit-command', cmd[0]!];
  for (const a of cmd.slice(1)) args.push('--exit-command-arg', a);
  return args;
}

/** The runtime's own words for a failure: its JSON log (the last error), else what conmon relayed. */
async function runtimeFailure(ociLog: string, relayed?: string): Promise<string> {
  const text = await fsp.readFile(ociLog, 'utf8').catch(() => '');
  let msg: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const j = JSON.parse(line) as { level?: string; msg?: string };
      if (j.msg && (j.level === 'error' || j.level === 'fatal' || msg === undefined)) msg = j.msg;
    } catch { /* not JSON */ }
  }
  return msg ?? runtimeMessage(relayed ?? '');
}

interface Spawned {
  pid: number;
  /** conmon's sync pipe, read from the first call on */
  sync: () => SyncReader;
  /** our end of conmon's start pipe */
  start: number;
  /** conmon's attach pipe (exec), read from the first call on */
  attachPipe?: () => SyncReader;
  /** what conmon wrote on its stderr so far (not passthrough) */
  stderr: () => string;
  /** conmon's own exit (it daemonizes once released: its first process ends right away) */
  exited: () => Promise<number>;
  close: () => void;
}

function spawnConmon(conmon: string, args: string[], opts: CommonOptions, pipes: 2 | 3, passthrough: boolean, cwd?: string, keepFds: number[] = []): Spawned {
  // 3: sync pipe (conmon writes), 4: start pipe (conmon reads), 5: attach pipe (exec);
  // keepFds after them: inherited by conmon for its whole life (slirp4netns's exit fd)
  const fds: ChildFd[] = passthrough ? [0, 1, 2] : ['null', 'null', 'pipe-write'];
  fds.push('pipe-write', 'pipe-read');
  if (pipes === 3) fds.push('pipe-write');
  fds.push(...keepFds);
  let child: FastChild;
  try {
    // its own session: a ^C meant for tsman must not reach it (podman: Setpgid)
    child = fastSpawn(conmon, [conmon, ...args], { fds, env: conmonEnv(opts, pipes), cwd, setsid: true });
  } catch (e) {
    throw new TsmanError('EGENERIC', `cannot run conmon: ${(e as Error).message}`, { cause: e });
  }
  // the readers are made when first read: after the release, while conmon runs the runtime
  const readers = new Map<number, SyncReader>();
  const reader = (n: number) => {
    let r = readers.get(n);
    if (!r) readers.set(n, r = new SyncReader(child.pipes.get(n)!));
    return r;
  };
  const stderrFd = child.pipes.get(2);
  let err = '';
  const stderr = () => {
    if (stderrFd !== undefined) err += readAvailable(stderrFd);
    return err.trim();
  };
  let exited: Promise<number> | undefined;
  return {
    pid: child.pid,
    sync: () => reader(3),
    start: child.pipes.get(4)!,
    attachPipe: pipes === 3 ? () => reader(5) : undefined,
    stderr,
    exited: () => (exited ??= waitChild(child.pid)),
    close: () => {
      for (const [n, fd] of child.pipes) {
        const r = readers.get(n);
        if (r) r.close();
        else closeFdQuiet(fd);
      }
    },
  };
}

function signalStart(fd: number): Promise<void> {
  // EPIPE: conmon is gone already, which its exit status tells
  pipeWrite(fd, Buffer.from([0]));
  return Promise.resolve();
}

function closeAll(s: Spawned): void {
  s.close();
}

async function readPid(file: string): Promise<number> {
  let text = '';
  try { text = readFileSync(file, 'utf8'); } catch { /* none: 0 */ }
  const n = Number.parseInt(text.trim(), 10);
  return Number.isFinite(n) ? n : 0;
}

/** A conmon started and waiting on its start pipe: release() lets it create the container. */
export interface PreparedConmon {
  release(): Promise<ConmonStarted>;
  /** undo a prepared monitor that will not be released (it has not forked anything yet) */
  cancel(): void;
}

/**
 * Create a container through conmon: returns once `runtime create` has succeeded (the caller then
 * runs `runtime start`) with the container's pid and the (daemonized) conmon's pid.
 */
export async function startConmon(opts: ConmonOptions): Promise<ConmonStarted> {
  return (await prepareConmon(opts)).release();
}

/**
 * Start conmon for `runtime create`, without letting it go on: conmon blocks on its start pipe
 * before it daemonizes or runs anything (podman uses that to move it into a cgroup first). Its
 * start-up (loading, parsing, oom score: ~5 ms on the test machines) then overlaps whatever the
 * caller still does before the bundle is complete (writing the spec); release() once it is.
 */
export async function prepareConmon(opts: ConmonOptions): Promise<PreparedConmon> {
  const conmon = opts.conmonPath ?? await findConmon();
  const runDir = path.dirname(opts.pidFile);
  const ociLog = path.join(runDir, 'oci-log');
  // synchronous: a dozen tiny calls, each a thread-pool round trip when asynchronous
  for (const d of [opts.exitDir, runDir, path.dirname(opts.conmonPidFile), ...(opts.socketDir ? [opts.socketDir] : []),
    ...(opts.persistDir ? [opts.persistDir] : [])]) mkdirSync(d, { recursive: true });
  // leftovers of an earlier run would be taken for this one's
  for (const f of [exitFilePath(opts.exitDir, opts.id), ociLog, opts.pidFile, opts.conmonPidFile,
    ...(opts.persistDir ? [path.join(opts.persistDir, 'exit'), path.join(opts.persistDir, 'oom')] : [])]) unlinkIfExists(f);

  const log = opts.logDriver === 'k8s-file' ? `k8s-file:${opts.logPath}` : opts.logDriver;
  const args = sharedArgs({ ...opts, cuuid: opts.id, ociLog, log });
  if (opts.socketDir) args.push('--socket-dir-path', opts.socketDir);
  if (opts.persistDir) args.push('--persist-dir', opts.persistDir);
  if (opts.logSizeMax && opts.logSizeMax > 0) args.push('--log-size-max', String(opts.logSizeMax));
  if (opts.logTag) args.push('--log-tag', opts.logTag);
  if (opts.terminal) args.push('-t');
  else if (opts.stdin) args.push('-i');
  if (opts.noPivot) args.push('--no-pivot');
  args.push('--conmon-pidfile', opts.conmonPidFile, ...exitCommandArgs(opts.exitCommand));

  const s = spawnConmon(conmon, args, opts, 2, opts.logDriver === 'passthrough', undefined, opts.keepFds);
  let done = false;
  return {
    release: async () => {
      if (done) throw new Error('conmon: released twice');
      done = true;
      return releaseConmon(s, opts, ociLog);
    },
    cancel: () => {
      if (done) return;
      done = true;
      try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ }
      closeAll(s);
    },
  };
}

async function releaseConmon(s: Spawned, opts: ConmonOptions, ociLog: string): Promise<ConmonStarted> {
  try {
    await signalStart(s.start);
    const code = await s.exited();
    if (code !== 0) {
      throw new TsmanError('EGENERIC', `conmon failed: exit status ${code}${s.stderr() ? `: ${s.stderr()}` : ''}`);
    }
    const msg = await s.sync().next(opts.timeoutMs ?? 240_000, `create container ${opts.id}`);
    if (!msg || msg.data < 0) {
      const text = await runtimeFailure(ociLog, msg?.message);
      await openRuntime({ name: path.basename(opts.runtimePath), path: opts.runtimePath }, opts.runtimeRoot, { ...process.env, ...opts.env }).delete(opts.id, true).catch(() => undefined);
      if (!text) {
        const why = msg ? 'container create failed' : 'container create failed (no logs from conmon)';
        throw new TsmanError('EGENERIC', `${why}${s.stderr() ? `: ${s.stderr()}` : ''}: internal libpod error`);
      }
      throw ociRuntimeError(path.basename(opts.runtimePath), text);
    }
    return { containerPid: msg.data, conmonPid: await readPid(opts.conmonPidFile) };
  } finally {
    closeAll(s);
  }
}

export interface ExecConmonOptions extends CommonOptions {
  sessionId: string;
  /** the session's directory (podman: <userdata>/<session id>): socket, fifos, pid and exit files */
  bundle: string;
  /** the OCI process to run (runtime-spec `process`) */
  process: Record<string, unknown>;
  /** stream the session's stdio; without it the session runs detached */
  attach?: Omit<AttachOptions, 'socketPath' | 'ctlPath' | 'tty' | 'onConnected'>;
  preserveFds?: number;
  /** keep the session directory after the session ended (default: removed) */
  keepBundle?: boolean;
}

export interface ExecResult {
  pid: number;
  /** the exec'd process' exit code (attached sessions that ran to the end) */
  exitCode?: number;
  detached?: boolean;
}

/** Run a process in a running container through conmon (`-e --exec-attach`), podman's ExecContainer. */
export async function execConmon(opts: ExecConmonOptions): Promise<ExecResult> {
  const conmon = opts.conmonPath ?? await findConmon();
  const exitDir = path.join(opts.bundle, 'exit');
  await fsp.mkdir(exitDir, { recursive: true });
  const specFile = path.join(opts.bundle, `exec-process-${randomBytes(5).toString('hex')}`);
  await fsp.writeFile(specFile, JSON.stringify(opts.process), { mode: 0o600 });
  const ociLog = path.join(opts.bundle, 'oci-log');
  const pidFile = path.join(opts.bundle, 'exec_pid');

  const args = sharedArgs({ ...opts, cuuid: opts.sessionId, bundle: opts.bundle, pidFile, exitDir, ociLog, log: 'none' });
  if (opts.preserveFds) args.push('--runtime-opt', '--preserve-fds', '--runtime-opt', String(opts.preserveFds));
  if (opts.terminal) args.push('-t');
  if (opts.attach?.stdin) args.push('-i');
  args.push('-e', '--exec-attach', '--exec-process-spec', specFile, ...exitCommandArgs(opts.exitCommand));

  const s = spawnConmon(conmon, args, opts, 3, false, opts.bundle);
  const timeout = opts.timeoutMs ?? 240_000;
  let attached: Promise<'exited' | 'detached'> | undefined;
  let ended = false;
  try {
    await signalStart(s.start);
    const code = await s.exited();
    if (code !== 0) throw new TsmanError('EGENERIC', `conmon failed: exit status ${code}${s.stderr() ? `: ${s.stderr()}` : ''}`);
    const ready = await s.attachPipe!().next(timeout, `exec in container ${opts.id}`);
    if (!ready || ready.data < 0) {
      throw new TsmanError('EGENERIC', `exec in container ${opts.id}: conmon did not set up its attach socket${ready?.message ? `: ${ready.message}` : ''}`);
    }
    if (opts.attach) {
      attached = attach({
        ...opts.attach,
        socketPath: attachSocketPath(opts.bundle),
        ctlPath: ctlPath(opts.bundle),
        tty: opts.terminal,
        // conmon runs `runtime exec` once we are attached, so no output is lost
        onConnected: () => signalStart(s.start),
      });
      attached.catch(() => undefined);
    } else {
      await signalStart(s.start);
    }
    // an attach that fails to connect must not leave us waiting for conmon's report
    const attachFailed = attached?.then(() => new Promise<never>(() => {}), (err) => { throw err; });
    const first = await Promise.race([s.sync().next(timeout, `exec in container ${opts.id}`), ...(attachFailed ? [attachFailed] : [])]);
    if (!first || first.data < 0) {
      await attached?.catch(() => undefined);
      ended = true;
      const text = await runtimeFailure(ociLog, first?.message);
      if (!text) throw new TsmanError('EGENERIC', `exec in container ${opts.id} failed${s.stderr() ? `: ${s.stderr()}` : ''}: internal libpod error`);
      throw ociRuntimeError(path.basename(opts.runtimePath), text);
    }
    const pid = first.data;
    if (!attached) return { pid, detached: true };
    if (await attached === 'detached') return { pid, detached: true };
    ended = true;
    // conmon sends the exit code after closing the attach socket; the exit file has it too
    const last = await s.sync().next(30_000, `exec in container ${opts.id}`).catch(() => undefined);
    const exitCode = last && last.data >= 0 ? last.data : await readExitFile(exitDir, opts.id);
    return { pid, exitCode: exitCode ?? ExitCode.Generic };
  } finally {
    closeAll(s);
    if (ended && !opts.keepBundle) await fsp.rm(opts.bundle, { recursive: true, force: true }).catch(() => undefined);
    else await fsp.rm(specFile, { force: true }).catch(() => undefined);
  }
}

/** The exit code conmon recorded for a container (or exec session), undefined while there is none. */
export async function readExitFile(exitDir: string, id: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(exitFilePath(exitDir, id), 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new TsmanError('EGENERIC', `read exit file \`${exitFilePath(exitDir, id)}\`: ${errnoCode(err) ?? (err as Error).message}`, { cause: err });
  }
  const n = Number.parseInt(text.trim(), 10);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Wait for conmon's exit file: inotify on the directory, with polling as the fallback (inotify can
 * miss events on some filesystems, and the directory may not exist yet).
 */
export async function waitForExitFile(exitDir: string, id: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<number> {
  const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : Infinity;
  let watcher: FSWatcher | undefined;
  let wake: (() => void) | undefined;
  const onAbort = () => wake?.();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    let delay = 10;
    for (;;) {
      const code = await readExitFile(exitDir, id);
      if (code !== undefined) return code;
      if (opts.signal?.aborted) throw new TsmanError('EGENERIC', `waiting for container ${id}: aborted`);
      if (Date.now() >= deadline) throw new TsmanError('EGENERIC', `waiting for container ${id}: timed out`);
      if (!watcher) {
        try {
          watcher = watch(exitDir, (_ev, name) => { if (!name || name.toString() === id) wake?.(); });
          watcher.on('error', () => {});
          continue; // it may have appeared before the watch began
        } catch { /* no directory yet: poll */ }
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { wake = undefined; resolve(); }, Math.min(delay, Math.max(0, deadline - Date.now())));
        wake = () => { clearTimeout(t); wake = undefined; resolve(); };
      });
      delay = Math.min(delay * 2, 250);
    }
  } finally {
    watcher?.close();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
