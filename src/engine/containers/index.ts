// Container verbs of the engine facade: create, run, ps, inspect, logs. The verbs that act on a
// target list have a file each (start.ts, stop.ts, ...; targets.ts resolves --all/--latest).
import type { Engine } from '../index.js';
import type { ContainerRecord, ContainerState } from './types.js';
import { createContainer } from './create.js';
import type { CreateOptions } from './create.js';
import { mustFindContainer, findContainer } from './lookup.js';
import { startContainer, removeContainer, currentState, writeCidFile } from './lifecycle.js';
import type { AttachIo } from './lifecycle.js';
import { TsmanError } from '../../errors.js';
import { parseFilters } from '../images.js';
import { ContainerPaths } from './paths.js';
import { inspectJson } from './report.js';
import { mark } from '../../util/timing.js';
import { byteCompare } from '../../util/human.js';
import { matchLabels } from '../../util/filters.js';
import { stdout, stderr } from '../../util/stdio.js';
import { onFatal } from '../../util/fatal.js';

export async function createOnly(engine: Engine, o: CreateOptions, cidfile?: string): Promise<ContainerRecord> {
  if (o.replace && o.name) await removeContainer(engine, o.name, { force: true, volumes: false, ignore: true });
  const c = await createContainer(engine, o);
  if (cidfile) writeCidFile(cidfile, c.id);
  return c;
}

export interface RunFlags {
  detach: boolean;
  cidfile?: string;
  sigProxy: boolean;
  detachKeys?: string;
  out: (s: string) => void;
}

export async function runContainer(engine: Engine, o: CreateOptions, f: RunFlags): Promise<number> {
  mark('engine open');
  const c = await createOnly(engine, o);
  mark('created');
  // as podman: a run that fails leaves no --rm container behind, whatever the failure (an error
  // of tsman's own that nobody caught included: util/fatal.ts); without --rm the container stays,
  // Created, as podman's does
  const removeRm = async (): Promise<void> => {
    if (o.rm) await removeContainer(engine, c.id, { force: true, volumes: true, ignore: true }).catch(() => undefined);
  };
  const dropFatal = o.rm ? onFatal(removeRm) : () => undefined;
  try {
    if (f.cidfile) {
      try {
        writeCidFile(f.cidfile, c.id);
      } catch (err) {
        await removeRm();
        throw err;
      }
    }
    if (f.detach) {
      try {
        await startContainer(engine, c);
      } catch (err) {
        await removeRm();
        throw err;
      }
      f.out(`${c.id}\n`);
      return 0;
    }
    // stdout and stderr made when first written to (~2 ms of stream modules a silent container never needs)
    const io: AttachIo = {
      stdin: o.interactive ? process.stdin : undefined,
      get stdout() { return stdout(); },
      get stderr() { return stderr(); },
      detachKeys: f.detachKeys,
    };
    const forward = f.sigProxy && !o.tty ? proxySignals(engine, c.id) : () => undefined;
    try {
      const res = await startContainer(engine, c, io);
      if (res.detached) return 0;
      return res.exitCode ?? 0;
    } catch (err) {
      await removeRm();
      throw err;
    } finally {
      forward();
    }
  } finally {
    dropFatal();
  }
}

/** --sig-proxy: signals tsman receives go to the container's process. */
function proxySignals(engine: Engine, id: string): () => void {
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
  const handlers = sigs.map((s) => {
    const h = () => {
      void import('./runtime.js').then((rt) => rt.killRuntime(engine, id, s)).catch(() => undefined);
    };
    process.on(s, h);
    return [s, h] as const;
  });
  return () => { for (const [s, h] of handlers) process.off(s, h); };
}

export async function listContainers(engine: Engine, o: { all: boolean; filters: string[] }): Promise<Array<{ c: ContainerRecord; st: ContainerState }>> {
  const f = parseFilters(o.filters, ['status', 'name', 'label', 'ancestor', 'exited', 'id', 'before', 'since'], 'container');
  const out = [];
  const state = engine.store.read();
  for (const c of state.containers ?? []) {
    const st = await currentState(engine, c.id);
    if (!o.all && !f.status && st.status !== 'running' && st.status !== 'paused') continue;
    if (f.status && !f.status.includes(st.status)) continue;
    if (f.name && !f.name.some((n) => new RegExp(n).test(c.name))) continue;
    if (f.id && !f.id.some((n) => c.id.startsWith(n))) continue;
    if (f.exited && !(st.status === 'exited' && f.exited.includes(String(st.exitCode ?? 0)))) continue;
    if (f.label && !matchLabels(f.label, c.config.labels)) continue;
    if (f.ancestor && !f.ancestor.some((a) => c.imageName === a || c.imageId.startsWith(a) || c.imageName.split('/').pop()!.startsWith(a))) continue;
    out.push({ c, st });
  }
  return out;
}

export async function inspectContainers(engine: Engine, names: string[]): Promise<{ found: Record<string, unknown>[]; missing: string[] }> {
  const state = engine.store.read();
  const found = [];
  const missing = [];
  for (const n of names) {
    const c = findContainer(state, n);
    if (!c) { missing.push(n); continue; }
    found.push(inspectJson(engine, c, await currentState(engine, c.id)));
  }
  return { found, missing };
}

export interface LogOpts { follow: boolean; timestamps: boolean; tail?: number; since?: string; until?: string; latest: boolean }

export async function containerLogs(engine: Engine, names: string[], o: LogOpts): Promise<void> {
  const state = engine.store.read();
  let ctrs = names.map((n) => mustFindContainer(state, n));
  if (o.latest) ctrs = [...(state.containers ?? [])].sort((a, b) => byteCompare(b.created, a.created)).slice(0, 1);
  const { readLogs } = await import('../../runtime/logs.js');
  const parseTime = (s?: string) => {
    if (s === undefined) return undefined;
    const rel = /^(\d+)(s|m|h)$/.exec(s);
    if (rel) return new Date(Date.now() - Number(rel[1]) * ({ s: 1e3, m: 6e4, h: 3.6e6 } as Record<string, number>)[rel[2]!]!);
    const d = /^\d+$/.test(s) ? new Date(Number(s) * 1000) : new Date(s);
    if (Number.isNaN(d.getTime())) throw new TsmanError('EUSAGE', `invalid time "${s}"`);
    return d;
  };
  const since = parseTime(o.since);
  const until = parseTime(o.until);
  await Promise.all(ctrs.map(async (c) => {
    const p = new ContainerPaths(engine.store, c.id);
    if (c.config.logDriver === 'none' || c.config.logDriver === 'passthrough') {
      throw new TsmanError('EUSAGE', `this container is using the '${c.config.logDriver}' log driver, cannot read logs: this container is not logging output`);
    }
    const prefix = ctrs.length > 1 ? `${c.id.slice(0, 12)} ` : '';
    await readLogs(c.config.logPath ?? p.log, {
      since, until, tail: o.tail, timestamps: o.timestamps, follow: o.follow,
      stopWhen: async () => {
        const st = await currentState(engine, c.id);
        return st.status !== 'running' && st.status !== 'paused';
      },
    }, (stream, text) => {
      (stream === 'stderr' ? stderr() : stdout()).write(prefix ? text.split('\n').map((l, i, a) => (i === a.length - 1 && l === '' ? l : prefix + l)).join('\n') : text);
    });
  }));
}
