// attach, rename, pause/unpause, top, diff, prune: the smaller container verbs.
import { promises as fsp, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../index.js';
import { mustFindContainer } from './lookup.js';
import { ContainerPaths } from './paths.js';
import { currentState, waitExit, cleanupContainer, removeContainer } from './lifecycle.js';
import { writeState } from './state.js';
import type { AttachIo } from './lifecycle.js';
import * as rt from './runtime.js';
import { mustHaveCgroup } from './cgroups.js';
import { TsmanError } from '../../errors.js';
import { NAME_RE } from './names.js';

export async function attachByName(engine: Engine, name: string, io: AttachIo): Promise<number> {
  const c = mustFindContainer(engine.store.read(), name);
  const st = await currentState(engine, c.id);
  if (st.status !== 'running') throw new TsmanError('EGENERIC', 'you can only attach to running containers');
  const p = new ContainerPaths(engine.store, c.id);
  const how = await rt.attachTo(c, p, io, async () => undefined);
  if (how === 'detached') return 0;
  const code = await waitExit(engine, c.id);
  await cleanupContainer(engine, c.id);
  return code;
}

export async function renameContainer(engine: Engine, name: string, newName: string): Promise<void> {
  if (!NAME_RE.test(newName)) throw new TsmanError('EUSAGE', `container name "${newName}" must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument`);
  await engine.store.update((state) => {
    const c = mustFindContainer(state, name);
    const other = (state.containers ?? []).find((x) => x.name === newName && x.id !== c.id);
    if (other) throw new TsmanError('EEXISTS', `the container name "${newName}" is already in use by ${other.id}. You have to remove that container to be able to reuse that name: that name is already in use`);
    c.name = newName;
    return { save: true, value: undefined };
  });
}

export async function pauseContainer(engine: Engine, name: string, pause: boolean): Promise<string> {
  const c = mustFindContainer(engine.store.read(), name);
  // (before the state, as before: a rootless container is refused whatever its state)
  mustHaveCgroup(engine, pause ? 'pause' : 'unpause');
  const st = await currentState(engine, c.id);
  if (pause && st.status !== 'running') throw new TsmanError('EGENERIC', `"${c.id}" is not running, can't pause: container state improper`);
  if (!pause && st.status !== 'paused') throw new TsmanError('EGENERIC', `"${c.id}" is not paused, can't unpause: container state improper`);
  if (pause) await rt.pauseRuntime(engine, c.id); else await rt.resumeRuntime(engine, c.id);
  await writeState(engine.store, c.id, { ...st, status: pause ? 'paused' : 'running' });
  return c.id;
}

function procStatus(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const i = l.indexOf(':');
    if (i > 0) out[l.slice(0, i)] = l.slice(i + 1).trim();
  }
  return out;
}

/** The processes of the container's pid namespace, with pids as the container sees them. */
export async function topContainer(engine: Engine, name: string): Promise<string[][]> {
  const c = mustFindContainer(engine.store.read(), name);
  const st = await currentState(engine, c.id);
  if (st.status !== 'running' || !st.pid) throw new TsmanError('EGENERIC', `top can only be used on running containers`);
  const ns = readlinkSync(`/proc/${st.pid}/ns/pid`);
  const users = new Map<number, string>();
  try {
    const merged = new ContainerPaths(engine.store, c.id).merged;
    for (const l of readFileSync(path.join(merged, 'etc/passwd'), 'utf8').split('\n')) {
      const f = l.split(':');
      if (f.length > 2) users.set(Number(f[2]), f[0]!);
    }
  } catch { /* no passwd: numeric */ }
  const rows: string[][] = [['USER', 'PID', 'PPID', '%CPU', 'ELAPSED', 'TTY', 'TIME', 'COMMAND']];
  const boot = Date.now() / 1000 - Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const hz = 100;
  const procs = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readlinkSync(`/proc/${d}/ns/pid`) !== ns) continue;
      const s = procStatus(Number(d));
      const nspid = (s.NSpid ?? d).split(/\s+/).pop()!;
      let nsppid = '0';
      try {
        if (Number(s.PPid) > 0 && readlinkSync(`/proc/${s.PPid}/ns/pid`) === ns) nsppid = (procStatus(Number(s.PPid)).NSpid ?? '0').split(/\s+/).pop() ?? '0';
      } catch { /* parent gone */ }
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cpu = (Number(f[11]) + Number(f[12])) / hz;
      const started = boot + Number(f[19]) / hz;
      const elapsed = Math.max(0, Date.now() / 1000 - started);
      const uid = Number((s.Uid ?? '0').split(/\s+/)[0]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') || `[${s.Name}]`;
      procs.push([users.get(uid) ?? String(uid), nspid, nsppid, (elapsed > 0 ? (cpu / elapsed) * 100 : 0).toFixed(3),
        fmtDur(elapsed), '?', fmtDur(cpu), cmd]);
    } catch { /* exited meanwhile */ }
  }
  procs.sort((a, b) => Number(a[1]) - Number(b[1]));
  return [...rows, ...procs];
}

function fmtDur(sec: number): string {
  if (sec < 1) return `${Math.round(sec * 1e9) > 0 ? (sec * 1000).toFixed(3) + 'ms' : '0s'}`;
  const s = Math.floor(sec);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}h${m}m${r}s` : m ? `${m}m${r}s` : `${(sec).toFixed(9).replace(/0+$/, '').replace(/\.$/, '')}s`;
}

const MOUNT_POINTS = new Set(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/run/.containerenv', '/run/podman-init']);

/** Changes of the writable layer against the image: A added, C changed, D deleted. */
export async function diffContainer(engine: Engine, name: string): Promise<Array<{ kind: 'A' | 'C' | 'D'; path: string }>> {
  const c = mustFindContainer(engine.store.read(), name);
  const img = engine.store.read().images.find((i) => i.id === c.imageId);
  const lowers = img ? [...img.layers].reverse().map((l) => engine.store.diffDir(l)) : [];
  const upper = new ContainerPaths(engine.store, c.id).diff;
  const out: Array<{ kind: 'A' | 'C' | 'D'; path: string }> = [];
  const inLower = async (rel: string): Promise<boolean> => {
    for (const l of lowers) {
      try { await fsp.lstat(path.join(l, rel)); return true; } catch { /* next */ }
    }
    return false;
  };
  const walk = async (rel: string): Promise<void> => {
    const dir = path.join(upper, rel);
    for (const ent of await fsp.readdir(dir, { withFileTypes: true })) {
      const r = path.join(rel, ent.name);
      const abs = '/' + r;
      const full = path.join(upper, r);
      if (ent.name.startsWith('.wh.')) {
        out.push({ kind: 'D', path: '/' + path.join(rel, ent.name.slice(4)) });
        continue;
      }
      if (ent.isCharacterDevice()) {
        const st = await fsp.lstat(full);
        if (st.rdev === 0) { out.push({ kind: 'D', path: abs }); continue; }
      }
      if (MOUNT_POINTS.has(abs) && (await fsp.lstat(full)).size === 0) continue;
      const existed = await inLower(r);
      const mark = out.length;
      out.push({ kind: existed ? 'C' : 'A', path: abs });
      if (ent.isDirectory()) {
        await walk(r);
        // a directory the runtime made only to hold our mount points (e.g. /run) is no change
        if (!existed && out.length === mark + 1 && (await fsp.readdir(full)).every((n) => MOUNT_POINTS.has(path.join(abs, n)))) out.pop();
      }
    }
  };
  await walk('');
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export async function pruneContainers(engine: Engine): Promise<string[]> {
  const removed: string[] = [];
  for (const c of engine.store.read().containers ?? []) {
    const st = await currentState(engine, c.id);
    if (st.status === 'running' || st.status === 'paused') continue;
    const id = await removeContainer(engine, c.id, { force: false, volumes: true, ignore: true });
    if (id) removed.push(id);
  }
  return removed;
}
