// `top`: the processes of a running container, read from /proc.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../index.js';
import { mustFindContainer } from './lookup.js';
import { ContainerPaths } from './paths.js';
import { currentState } from './lifecycle.js';
import { TsmanError } from '../../errors.js';

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
