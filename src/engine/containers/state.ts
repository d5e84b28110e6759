// Volatile container state in the run root. A recorded pid carries its start time so a reused
// pid is never mistaken for the container (crun's status.c does the same).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Store } from '../../storage/store.js';
import { processStartTime } from '../../storage/store.js';
import { atomicWriteJson, mkdirp } from '../../util/fsutil.js';
import type { ContainerState } from './types.js';
import { ContainerPaths, exitDir } from './paths.js';

export function readState(store: Store, id: string): ContainerState {
  const p = new ContainerPaths(store, id);
  try {
    return JSON.parse(readFileSync(p.stateFile, 'utf8')) as ContainerState;
  } catch {
    // no state in the run root: never started, or the host rebooted (runroot is a tmpfs) — then
    // the durable copy of the last exit, or the started marker, says it has run
    try {
      return JSON.parse(readFileSync(path.join(p.userdata, 'last-exit.json'), 'utf8')) as ContainerState;
    } catch { /* never exited */ }
    try {
      const startedAt = readFileSync(path.join(p.userdata, 'started'), 'utf8').trim();
      return { status: 'exited', exitCode: 0, startedAt, finishedAt: startedAt };
    } catch {
      return { status: 'created' };
    }
  }
}

/** The durable record of a run (survives a reboot, unlike the run root). */
export async function recordStarted(store: Store, id: string, startedAt: string): Promise<void> {
  writeFileSync(path.join(new ContainerPaths(store, id).userdata, 'started'), startedAt);
}

export async function recordExit(store: Store, id: string, st: ContainerState): Promise<void> {
  const p = new ContainerPaths(store, id);
  await atomicWriteJson(path.join(p.userdata, 'last-exit.json'), { ...st, status: 'exited', pid: undefined, conmonPid: undefined }, 0o600);
}

export async function writeState(store: Store, id: string, st: ContainerState): Promise<void> {
  const p = new ContainerPaths(store, id);
  await mkdirp(path.dirname(p.stateFile), 0o700);
  // run root: volatile by design (a tmpfs), no fsync
  await atomicWriteJson(p.stateFile, st, 0o600, { durable: false });
}

export function readExitCode(store: Store, id: string): number | undefined {
  try {
    const t = readFileSync(path.join(exitDir(store), id), 'utf8').trim();
    return t === '' ? undefined : Number(t);
  } catch {
    return undefined;
  }
}

export function alive(pid: number | undefined, start: string | undefined): boolean {
  if (!pid) return false;
  const s = processStartTime(pid);
  return s !== undefined && (start === undefined || s === start);
}

/**
 * The state as it really is: a "running" container whose process is gone has exited (its code
 * from conmon's exit file), whatever the last writer recorded. Pure: the caller persists.
 */
export function syncState(store: Store, id: string, st: ContainerState): { state: ContainerState; changed: boolean } {
  if (st.status !== 'running' && st.status !== 'paused') return { state: st, changed: false };
  const code = readExitCode(store, id);
  if (code === undefined && alive(st.pid, st.pidStartTime)) return { state: st, changed: false };
  if (code === undefined && alive(st.conmonPid, st.conmonStartTime)) return { state: st, changed: false };
  return {
    state: { ...st, status: 'exited', exitCode: code ?? st.exitCode ?? 137, finishedAt: st.finishedAt ?? exitFileTime(store, id) },
    changed: true,
  };
}

function exitFileTime(store: Store, id: string): string {
  try {
    return statSync(path.join(exitDir(store), id)).mtime.toISOString();
  } catch {
    return new Date().toISOString();
  }
}

