// The engine's side of the monitor, the runtime and the cgroups: which runtime binary, conmon's
// arguments (including the exit command that records the exit and cleans up), attach, kill,
// delete, pause. The runtime is reached through its OciRuntime interface only (src/runtime/
// select.ts picks runc's or crun's), the cgroups through the CgroupManager (cgroups.ts).
import { isCgroupUnified } from '../../cgroupv2/detect.js';
import { cgroups } from './cgroups.js';
import type { Engine } from '../index.js';
import type { ContainerRecord } from './types.js';
import { ContainerPaths, runtimeRoot, exitDir, socketDir } from './paths.js';
import type { OciRuntime } from '../../runtime/oci.js';
import { findRuntime, openRuntime, type RuntimeChoice } from '../../runtime/select.js';
import { prepareConmon, attachSocketPath, ctlPath, type PreparedConmon } from '../../runtime/conmon.js';
import { attach } from '../../runtime/attach.js';
import { mkdirSpread } from '../../util/fsutil.js';
import { firstExecutable } from './confdefaults.js';

let chosen: RuntimeChoice | undefined;

export function runtimeChoice(engine: Engine): RuntimeChoice {
  // a name is looked up in containers.conf's [engine.runtimes] first, then in $PATH
  const name = engine.globals.runtime || engine.config.engine.runtime || 'runc';
  const table = name.includes('/') ? undefined : engine.config.engine.runtimes[name];
  chosen ??= findRuntime((table && firstExecutable(table)) || name, { unified: isCgroupUnified() });
  return chosen;
}

/** conmon: the first of containers.conf's conmon_path that exists, else found in $PATH (podman's order). */
export function conmonPath(engine: Engine): string | undefined {
  return firstExecutable(engine.config.engine.conmon_path);
}

/** The runtime as inspect shows it: as requested (a name or a path), or the one used instead. */
export function runtimeName(engine: Engine): string {
  const rt = runtimeChoice(engine);
  return rt.fallbackReason ? rt.name : engine.globals.runtime || engine.config.engine.runtime || 'runc';
}

/** The runtime's implementation (runc, crun or another binary's) over its state under the run root. */
export function oci(engine: Engine): OciRuntime {
  return openRuntime(runtimeChoice(engine), runtimeRoot(engine.store));
}

/**
 * The argv conmon runs when the container exits: `runtime delete` (started by conmon right at the
 * exit, in parallel with whatever tsman does then: a foreground `run` does not start the runtime
 * again for it), then `tsman --root .. container cleanup <id>` when nobody else cleans up.
 */
export function exitCommand(engine: Engine, id: string): string[] {
  const g = engine.globals;
  const args = [process.execPath, process.argv[1]!, '--root', engine.config.storage.graphroot, '--runroot', engine.config.storage.runroot,
    '--storage-driver', engine.store.driver.name];
  if (g.registriesConf) args.push('--registries-conf', g.registriesConf);
  args.push('container', 'cleanup', id);
  // Shell builtins only, but for the runtime and the final exec. tsman's cleanup is skipped when a
  // foreground process does it (looked for first: it may be done and gone by the time the runtime
  // has deleted the container), when the container is gone (run --rm: its userdata is removed)
  // and when it is already cleaned up (the marker cleanupContainer leaves): a Node start for
  // nothing would otherwise follow many runs.
  const p = new ContainerPaths(engine.store, id);
  // (read fails at an end of file without a newline, having read the line: hence the -n test)
  const script = 'f="$4"; fg=; p=; if [ -f "$f" ] && { read -r p <"$f" || [ -n "$p" ]; } && kill -0 "$p" 2>/dev/null; then fg=1; fi; '
    + '"$1" --root "$2" delete --force "$3" >/dev/null 2>&1; d="$5"; m="$6"; shift 6; '
    + '[ -n "$fg" ] && exit 0; [ -d "$d" ] || exit 0; [ -e "$m" ] && exit 0; exec "$@"';
  const rt = oci(engine);
  return ['/bin/sh', '-c', script, 'sh', rt.path, rt.root, id, attachedFile(engine, id), p.userdata, cleanedMarker(engine, id), ...args];
}

/** Left by cleanupContainer once a run is cleaned up (removed at the next start). */
export function cleanedMarker(engine: Engine, id: string): string {
  return new ContainerPaths(engine.store, id).runDir + '/cleaned';
}

export function attachedFile(engine: Engine, id: string): string {
  return new ContainerPaths(engine.store, id).runDir + '/attached';
}

/** conmon for the container, started and waiting to create it (see prepareConmon). */
export async function prepareMonitor(engine: Engine, c: ContainerRecord, p: ContainerPaths, keepFds: number[] = []): Promise<PreparedConmon> {
  const rt = oci(engine);
  // the runtime's per-container state directories, each in a block group of its own (mkdirSpread)
  mkdirSpread(rt.root, 0o700);
  return prepareConmon({
    id: c.id, name: c.name, runtimePath: rt.path, runtimeRoot: rt.root, conmonPath: conmonPath(engine),
    terminal: c.config.tty, stdin: c.config.interactive, bundle: p.bundle, exitDir: exitDir(engine.store),
    socketDir: socketDir(engine.store), logPath: logPathOf(c, p), logSizeMax: c.config.logSizeMax, logTag: c.config.logTag,
    logDriver: (c.config.logDriver === 'json-file' ? 'k8s-file' : c.config.logDriver) as 'k8s-file',
    pidFile: p.pidFile, conmonPidFile: p.conmonPidFile, exitCommand: exitCommand(engine, c.id),
    // no --persist-dir (as podman): its exit file would be a second copy nobody reads
    keepFds,
  });
}

export function logPathOf(c: ContainerRecord, p: ContainerPaths): string {
  return c.config.logPath ?? p.log;
}

/** The caller's side of an attach (lifecycle's AttachIo is one). */
export interface AttachStreams {
  stdin?: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  detachKeys?: string;
}

export function attachTo(c: ContainerRecord, p: ContainerPaths, io: AttachStreams, onConnected: () => Promise<void>): Promise<'exited' | 'detached'> {
  return attach({
    socketPath: attachSocketPath(p.bundle), ctlPath: ctlPath(p.bundle), tty: c.config.tty,
    stdin: c.config.interactive ? io.stdin : undefined,
    // read when output comes: a container that prints nothing never creates our stdio streams
    get stdout() { return io.stdout; },
    get stderr() { return io.stderr; },
    detachKeys: io.detachKeys, onConnected,
  });
}

export async function startRuntime(engine: Engine, id: string, pid?: number): Promise<void> { await oci(engine).start(id, pid); }
/** Signal the container's init, or with `all` every process of its cgroup (refused where it has none). */
export async function killRuntime(engine: Engine, id: string, signal: string, all = false): Promise<void> {
  if (all) await cgroups(engine).killAll(id, signal, oci(engine));
  else await oci(engine).kill(id, signal);
}
/** Whether the runtime still keeps state for the container (its directory under the runtime root). */
export function runtimeKnows(engine: Engine, id: string): boolean {
  return oci(engine).knows(id);
}

/** `runtime delete`; a container the runtime does not know is not an error. */
export async function deleteRuntime(engine: Engine, id: string, force = false): Promise<void> {
  try {
    await oci(engine).delete(id, force);
  } catch (err) {
    if (!/does not exist|not found/i.test((err as Error).message)) throw err;
  }
}
/** Thaw / freeze the container's cgroup (refused where it has none). */
export async function resumeRuntime(engine: Engine, id: string): Promise<void> { await cgroups(engine).thaw(id, oci(engine)); }
export async function pauseRuntime(engine: Engine, id: string): Promise<void> { await cgroups(engine).freeze(id, oci(engine)); }
