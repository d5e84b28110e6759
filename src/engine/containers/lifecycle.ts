// start / stop / kill / cleanup / remove / wait. Each takes the container's own lock
// (<runroot>/tsman/containers/<id>/lock, ./lock.ts) so two terminals acting on one container
// serialise; the store lock is only taken for record changes (create, remove, rename), never while
// waiting.
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../index.js';
import type { ContainerRecord, ContainerState } from './types.js';
import { ContainerPaths, exitDir } from './paths.js';
import { readState, writeState, syncState, readExitCode, alive, recordStarted, recordExit } from './state.js';
import { findContainer, noSuchContainer } from './lookup.js';
import { ctrLock, isContainerGone } from './lock.js';
import { mkdirp, sleep, unlinkIfExists } from '../../util/fsutil.js';
import { processStartTime, discardTrees } from '../../storage/store.js';
import { TsmanError } from '../../errors.js';
import { isMountPoint } from '../imagemount.js';
import { buildSpec, writeNetFiles } from './spec.js';
import * as rt from './runtime.js';
import { setupNetwork, teardownNetwork } from '../../network/setup.js';
import { mark } from '../../util/timing.js';
import type { PreparedConmon } from '../../runtime/conmon.js';

export { ctrLock };

/** Current state, corrected against reality and persisted if it changed. */
export async function currentState(engine: Engine, id: string): Promise<ContainerState> {
  const { state, changed } = syncState(engine.store, id, readState(engine.store, id));
  if (changed) {
    await writeState(engine.store, id, state);
  }
  return state;
}

export async function mountRootfs(engine: Engine, c: ContainerRecord): Promise<string> {
  if (c.config.rootfs) return c.config.rootfs;
  const p = new ContainerPaths(engine.store, c.id);
  const mounted = !isMountPoint(p.merged);
  if (mounted) await mountLayers(engine, c, p);
  if (c.config.nomap) {
    const { stageContainer } = await import('../../userns/stage.js');
    try {
      return stageContainer(c.id, p.merged, p.userdata).rootfs;
    } catch (err) {
      if (mounted) await engine.store.driver.unmount(p.merged).catch(() => undefined);
      throw err;
    }
  }
  return p.merged;
}

async function mountLayers(engine: Engine, c: ContainerRecord, p: ContainerPaths): Promise<void> {
  await mkdirp(p.merged, 0o755);
  const img = engine.store.read().images.find((i) => i.id === c.imageId);
  if (!img) throw new TsmanError('ENOIMAGE', `image ${c.imageId} of container ${c.name} is gone`);
  const layers = img.layers.map((l) => engine.store.diffDir(l));
  let idMapping: { uid: string; gid: string } | undefined;
  if (c.config.keepId || c.config.nomap) {
    // the same layers, shown with the container's id mapping (src/userns/keepid.ts)
    const { containerIdMappings, fuseMapping } = await import('../../userns/keepid.js');
    const maps = containerIdMappings(c.config)!;
    idMapping = { uid: fuseMapping(maps.uid), gid: fuseMapping(maps.gid) };
  }
  await engine.store.driver.mount({ layers, upper: p.diff, work: p.work, target: p.merged, volatile: c.config.autoRemove, idMapping });
}

export async function unmountRootfs(engine: Engine, c: ContainerRecord): Promise<void> {
  const p = new ContainerPaths(engine.store, c.id);
  if (c.config.nomap) {
    const { unstageContainer } = await import('../../userns/stage.js');
    unstageContainer(c.id);
  }
  if (isMountPoint(p.merged)) await engine.store.driver.unmount(p.merged);
  // its --mount type=image mounts go with it (podman unmounts them at cleanup too)
  const images = (c.config.mounts ?? []).map((m, i) => ({ m, i })).filter(({ m }) => m.type === 'image');
  if (images.length) {
    const { imageMountPoint } = await import('./mounts.js');
    for (const { i } of images) {
      const at = imageMountPoint(p, i);
      if (isMountPoint(at)) await engine.store.driver.unmount(at);
    }
  }
}

export interface StartResult {
  /** exit code when attached and the container ended */
  exitCode?: number;
  detached?: boolean;
}

export interface AttachIo {
  stdin?: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  detachKeys?: string;
}

/** Start a created or exited container; with `io`, attach and wait for it to end. */
export async function startContainer(engine: Engine, c: ContainerRecord, io?: AttachIo, restartCount?: number): Promise<StartResult> {
  const lock = ctrLock(engine, c.id);
  const p = new ContainerPaths(engine.store, c.id);
  let attachDone: Promise<'exited' | 'detached'> | undefined;
  await lock.with(async () => {
    const st = await currentState(engine, c.id);
    if (st.status === 'running' || st.status === 'paused') {
      if (io) throw new TsmanError('EGENERIC', `container ${c.id} is already running`);
      return;
    }
    // a restart by the policy loses to a stop that came in meanwhile
    if (restartCount !== undefined && st.stoppedByUser) return;
    // a previous run's leftovers (exited but not cleaned up, or a host reboot)
    // (or the monitor's exit command has not finished deleting it yet)
    if (st.status !== 'created' && (!st.cleanedUp || rt.runtimeKnows(engine, c.id))) await rt.deleteRuntime(engine, c.id, true).catch(() => undefined);
    if (st.status !== 'created') unlinkIfExists(path.join(exitDir(engine.store), c.id));
    unlinkIfExists(rt.cleanedMarker(engine, c.id));
    mark('start: locked');
    // a rootfs this start mounts is unmounted again by every failure below (one left mounted as
    // root propagates into every rootless user's new mount namespace); one mounted before
    // (`tsman mount`) stays as the user left it
    const mountedBefore = !!c.config.rootfs || isMountPoint(p.merged);
    const rootfs = await mountRootfs(engine, c);
    mark('rootfs mounted');
    const undoMount = async () => { if (!mountedBefore) await unmountRootfs(engine, c).catch(() => undefined); };
    // a user namespace of the container's own (keep-id) must own the network namespace too:
    // the runtime makes it, tsman sets it up between create and start
    const late = !!c.config.keepId || !!c.config.nomap;
    let net: Awaited<ReturnType<typeof setupNetwork>> | undefined;
    let started: { pid: number; conmonPid: number };
    let monitor: PreparedConmon | undefined;
    try {
      if (!late) net = await setupNetwork(engine, c);
      // the monitor starts up while the bundle is written, and creates the container after
      monitor = await rt.prepareMonitor(engine, c, p, net?.keepFds ?? []);
      await buildSpec(engine, c, rootfs, net?.state);
      mark('spec written');
      if (io) {
        await mkdirp(p.runDir, 0o700);
        writeFileSync(rt.attachedFile(engine, c.id), `${process.pid}\n`);
      } else {
        unlinkIfExists(rt.attachedFile(engine, c.id));
      }
      const r = await monitor.release();
      started = { pid: r.containerPid, conmonPid: r.conmonPid };
      mark('runtime created');
      if (late) {
        try {
          net = await setupNetwork(engine, c, `/proc/${started.pid}/ns/net`);
          if (net) await writeNetFiles(engine, c, net.state);
        } catch (err) {
          await rt.deleteRuntime(engine, c.id, true).catch(() => undefined);
          throw err;
        }
      }
    } catch (err) {
      monitor?.cancel();
      net?.release();
      await teardownNetwork(engine, c).catch(() => undefined);
      await undoMount();
      throw err;
    } finally {
      // the monitor holds slirp4netns's exit fd now (or nobody, on failure)
      net?.release();
    }
    const markRunning = async () => {
      mark('attached');
      await rt.startRuntime(engine, c.id, started.pid);
      mark('runtime started');
      const startedAt = new Date().toISOString();
      await writeState(engine.store, c.id, {
        status: 'running', pid: started.pid, pidStartTime: processStartTime(started.pid),
        conmonPid: started.conmonPid, conmonStartTime: processStartTime(started.conmonPid),
        startedAt, restartCount: restartCount ?? readState(engine.store, c.id).restartCount ?? 0,
      });
      await recordStarted(engine.store, c.id, startedAt);
    };
    try {
      if (io && c.config.logDriver !== 'passthrough') {
        // attach before `runtime start` so no output is lost; start once the socket is connected
        let startedOk: () => void = () => undefined;
        let startFailed: (e: unknown) => void = () => undefined;
        const running = new Promise<void>((res, rej) => { startedOk = res; startFailed = rej; });
        attachDone = rt.attachTo(c, p, io, async () => {
          try { await markRunning(); startedOk(); } catch (err) { startFailed(err); throw err; }
        });
        await Promise.race([running, attachDone.then(() => running)]);
      } else {
        await markRunning();
      }
    } catch (err) {
      await rt.deleteRuntime(engine, c.id, true).catch(() => undefined);
      await teardownNetwork(engine, c).catch(() => undefined);
      await undoMount();
      throw err;
    }
  });
  const ended = async (): Promise<StartResult> => {
    const code = await waitExit(engine, c.id);
    mark('exit code read');
    // conmon wrote the exit file, so it runs the exit command, which deletes the runtime's state
    await cleanupContainer(engine, c.id, false, { runtimeGone: readExitCode(engine.store, c.id) !== undefined });
    mark('cleaned up');
    return { exitCode: code };
  };
  // passthrough: the container has our stdio itself, just wait for it
  if (io && c.config.logDriver === 'passthrough') return ended();
  if (!attachDone) return {};
  const how = await attachDone;
  mark('attach ended');
  if (how === 'detached') return { detached: true };
  return ended();
}

/** Wait until the container has exited; resolves with its exit code. */
export async function waitExit(engine: Engine, id: string, timeoutMs = 0): Promise<number> {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  // short at first: after an attached run the exit file is usually a moment behind the socket
  let delay = 1;
  for (;;) {
    const code = readExitCode(engine.store, id);
    if (code !== undefined) return code;
    const st = readState(engine.store, id);
    if (st.status !== 'running' && st.status !== 'paused') return st.exitCode ?? 0;
    if (!alive(st.conmonPid, st.conmonStartTime) && !alive(st.pid, st.pidStartTime)) {
      const synced = await currentState(engine, id);
      return synced.exitCode ?? 137;
    }
    if (Date.now() > deadline) throw new TsmanError('EGENERIC', `timed out waiting for container ${id}`);
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
}

/**
 * After exit: record the code, unmount, drop the runtime's state; then --rm removes the
 * container, or (when the monitor calls us) the restart policy may start it again.
 */
export async function cleanupContainer(engine: Engine, id: string, fromMonitor = false, o: { runtimeGone?: boolean } = {}): Promise<void> {
  const c = findContainer(engine.store.read(), id);
  if (!c) return;
  if (c.config.autoRemove) {
    // --rm: the removal cleans up (once), nothing is recorded about a container about to go
    const st = await currentState(engine, id);
    if (st.status === 'running' || st.status === 'paused') return;
    await removeContainer(engine, id, { force: true, volumes: true, ignore: true, runtimeGone: o.runtimeGone });
    return;
  }
  let remove = false;
  let restart: number | undefined;
  const locked = ctrLock(engine, id).with(async () => {
    const st = await currentState(engine, id);
    if (st.status === 'running' || st.status === 'paused') return;
    if (!st.cleanedUp) {
      if (!o.runtimeGone) await rt.deleteRuntime(engine, id, true).catch(() => undefined);
      await teardownNetwork(engine, c);
      await unmountRootfs(engine, c);
      if (st.status === 'exited') {
        await recordExit(engine.store, id, st);
        await writeState(engine.store, id, { ...st, cleanedUp: true });
        writeFileSync(rt.cleanedMarker(engine, id), '');
      }
    }
    remove = c.config.autoRemove;
    if (fromMonitor && !remove && !st.stoppedByUser && shouldRestart(c, st)) restart = (st.restartCount ?? 0) + 1;
  });
  try {
    await locked;
  } catch (err) {
    if (isContainerGone(err)) return; // removed meanwhile: nothing left to clean up
    throw err;
  }
  if (remove) await removeContainer(engine, id, { force: true, volumes: true, ignore: true });
  else if (restart !== undefined) await startContainer(engine, c, undefined, restart);
}

function shouldRestart(c: ContainerRecord, st: ContainerState): boolean {
  switch (c.config.restartPolicy) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return (st.exitCode ?? 0) !== 0 && (c.config.restartRetries === 0 || (st.restartCount ?? 0) < c.config.restartRetries);
    default:
      return false;
  }
}

export async function killContainer(engine: Engine, c: ContainerRecord, signal: string): Promise<void> {
  const st = await currentState(engine, c.id);
  if (st.status !== 'running' && st.status !== 'paused') {
    throw new TsmanError('EGENERIC', `can only kill running containers. ${c.id} is in state ${st.status}: container state improper`);
  }
  await rt.killRuntime(engine, c.id, signal);
}

/** Stop: the stop signal, then SIGKILL after the timeout; returns once the container is down. */
export async function stopContainer(engine: Engine, c: ContainerRecord, timeoutSec?: number): Promise<void> {
  const t = timeoutSec ?? c.config.stopTimeout;
  // under the container lock, so a restart the monitor is about to do sees it and stands down
  const st = await ctrLock(engine, c.id).with(async () => {
    const now = await currentState(engine, c.id);
    await writeState(engine.store, c.id, { ...now, stoppedByUser: true });
    return now;
  });
  if (st.status === 'running' || st.status === 'paused') {
    if (st.status === 'paused') await rt.resumeRuntime(engine, c.id).catch(() => undefined);
    try {
      await rt.killRuntime(engine, c.id, t === 0 ? 'SIGKILL' : c.config.stopSignal);
    } catch { /* already gone */ }
    try {
      await waitExit(engine, c.id, Math.max(t, 0) * 1000 + 50);
    } catch {
      if (t > 0) process.stderr.write(`WARN[0000] StopSignal ${c.config.stopSignal} failed to stop container ${c.name} in ${t} seconds, resorting to SIGKILL\n`);
      // killing pid 1 ends its whole pid namespace; --all needs cgroups (none rootless on v1)
      await rt.killRuntime(engine, c.id, 'SIGKILL').catch(() => undefined);
      await waitExit(engine, c.id, 10_000);
    }
    const now = await currentState(engine, c.id);
    await writeState(engine.store, c.id, { ...now, status: 'exited', finishedAt: now.finishedAt ?? new Date().toISOString() });
  }
  await cleanupContainer(engine, c.id);
}

export interface RemoveOpts {
  force: boolean;
  volumes: boolean;
  ignore?: boolean;
  timeout?: number;
  /** the monitor's exit command deletes the runtime's state: do not run the runtime for it */
  runtimeGone?: boolean;
}

export async function removeContainer(engine: Engine, q: string, o: RemoveOpts): Promise<string | undefined> {
  const c = findContainer(engine.store.read(), q);
  if (!c) {
    if (o.ignore) return undefined;
    throw noSuchContainer(q);
  }
  const st = await currentState(engine, c.id);
  if (st.status === 'running' || st.status === 'paused') {
    if (!o.force) {
      throw new TsmanError('EINUSE', `cannot remove container ${c.id} as it is running - running or paused containers cannot be removed without force: container state improper`, { exitCode: 2 });
    }
    await stopContainer(engine, c, o.timeout ?? 0);
  }
  const locked = ctrLock(engine, c.id).with(async () => {
    const now = readState(engine.store, c.id);
    // a start killed halfway (kill -9 between network setup, `runtime create` and the state
    // write) leaves a Created container with a network namespace, a runtime container and its
    // monitor: those go too
    const halfStarted = now.status === 'created' && rt.runtimeKnows(engine, c.id);
    if ((now.status !== 'created' && !now.cleanedUp) || halfStarted) {
      if (!o.runtimeGone) await rt.deleteRuntime(engine, c.id, true).catch(() => undefined);
    }
    if (!now.cleanedUp) await teardownNetwork(engine, c).catch(() => undefined);
    await unmountRootfs(engine, c);
    const gone = await engine.store.update((state) => {
      const before = (state.containers ?? []).length;
      state.containers = (state.containers ?? []).filter((x) => x.id !== c.id);
      return { save: state.containers.length !== before, value: state.containers.length === before };
    });
    if (gone) return;
    // the record is gone: its files go in the background (storage/store.ts discardTrees), the
    // lock file with its directory (renamed while we hold the lock: ./lock.ts)
    const paths = new ContainerPaths(engine.store, c.id);
    discardTrees([
      { path: paths.dir, trash: path.join(engine.store.dir, 'trash') },
      { path: paths.runDir, trash: path.join(engine.store.runDir, 'trash') },
    ]);
    unlinkIfExists(path.join(exitDir(engine.store), c.id));
    unlinkIfExists(paths.legacyLockFile);
  });
  try {
    await locked;
  } catch (err) {
    // removed by another process while we waited: as if we had not found it
    if (!isContainerGone(err)) throw err;
    if (o.ignore) return undefined;
    throw noSuchContainer(q);
  }
  // anonymous volumes go with -v (and --rm); named volumes outlive every container
  if (o.volumes) {
    const anon = (c.config.mounts ?? []).filter((m) => m.type === 'volume' && m.anonymous).map((m) => m.source);
    if (anon.length) {
      const vols = await import('../volumes.js');
      for (const v of anon) await vols.removeVolume(engine, v, { force: false }).catch(() => undefined);
    }
  }
  return c.id;
}

export function writeCidFile(file: string, id: string): void {
  if (existsSync(file)) throw new TsmanError('EEXISTS', `container id file exists. Ensure another container is not using it or delete ${file}`);
  writeFileSync(file, id);
}

