// `start`: created or exited containers, detached (reports), or one attached.
import type { Engine } from '../index.js';
import type { AttachIo } from './lifecycle.js';
import type { StartReport, Targets } from './options.js';
import { mustFindContainer } from './lookup.js';
import { startContainer } from './lifecycle.js';
import { eachTarget, resolveTargets } from './targets.js';

export async function startByName(engine: Engine, name: string, io?: AttachIo): Promise<number> {
  const c = mustFindContainer(engine.store.read(), name);
  // start -a of a container created with -i attaches stdin too (podman)
  if (io && !io.stdin && c.config.interactive) io = { ...io, stdin: process.stdin };
  const res = await startContainer(engine, c, io);
  return res.exitCode ?? 0;
}

export async function start(engine: Engine, t: Targets): Promise<StartReport[]> {
  return eachTarget(resolveTargets(engine, t), async (n) => {
    await startByName(engine, n);
    return { rawInput: n };
  });
}
