// `restart`: stop, then start, each container in turn.
import type { Engine } from '../index.js';
import type { RestartOptions, RestartReport, Targets } from './options.js';
import { stopByName } from './stop.js';
import { startByName } from './start.js';
import { eachTarget, resolveTargets } from './targets.js';

export async function restart(engine: Engine, t: Targets, o: RestartOptions): Promise<RestartReport[]> {
  return eachTarget(resolveTargets(engine, t), async (n) => {
    await stopByName(engine, n, o.timeout, false);
    await startByName(engine, n);
    return { rawInput: n };
  });
}
