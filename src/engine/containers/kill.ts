// `kill`: a signal to each container's process.
import type { Engine } from '../index.js';
import type { KillOptions, KillReport, Targets } from './options.js';
import { TsmanError } from '../../errors.js';
import { mustFindContainer } from './lookup.js';
import { killContainer } from './lifecycle.js';
import { signalNumber } from './report.js';
import { eachTarget, resolveTargets } from './targets.js';

export async function killByName(engine: Engine, name: string, signal: string): Promise<void> {
  const c = mustFindContainer(engine.store.read(), name);
  await killContainer(engine, c, signal);
}

export async function kill(engine: Engine, t: Targets, o: KillOptions): Promise<KillReport[]> {
  // a bad signal is the command's error, before any target
  if (signalNumber(o.signal) === undefined) throw new TsmanError('EUSAGE', `invalid signal: ${o.signal}`);
  return eachTarget(resolveTargets(engine, t), async (n) => {
    await killByName(engine, n, o.signal);
    return { rawInput: n };
  });
}
