// `stop`: SIGTERM (or the container's stop signal), SIGKILL after the timeout.
import type { Engine } from '../index.js';
import type { StopOptions, StopReport, Targets } from './options.js';
import { findContainer, noSuchContainer } from './lookup.js';
import { stopContainer } from './lifecycle.js';
import { eachTarget, resolveTargets } from './targets.js';

/** false: missing and ignored */
export async function stopByName(engine: Engine, name: string, timeout: number | undefined, ignore: boolean): Promise<boolean> {
  const c = findContainer(engine.store.read(), name);
  if (!c) {
    if (ignore) return false;
    throw noSuchContainer(name);
  }
  await stopContainer(engine, c, timeout);
  return true;
}

export async function stop(engine: Engine, t: Targets, o: StopOptions): Promise<StopReport[]> {
  return eachTarget(resolveTargets(engine, t), async (n) => (await stopByName(engine, n, o.timeout, o.ignore)) ? { rawInput: n } : undefined);
}
