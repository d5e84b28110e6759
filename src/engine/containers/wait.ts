// `wait`: block until each container reaches a condition (stopped by default); its exit code.
import type { Engine } from '../index.js';
import type { Targets, WaitOptions, WaitReport } from './options.js';
import { TsmanError } from '../../errors.js';
import { mustFindContainer } from './lookup.js';
import { currentState, waitExit } from './lifecycle.js';
import { eachTarget, resolveTargets } from './targets.js';

export async function waitByName(engine: Engine, name: string, conditions: string[]): Promise<number> {
  const c = mustFindContainer(engine.store.read(), name);
  const conds = conditions.length ? conditions : ['stopped'];
  for (const cond of conds) {
    if (!['stopped', 'exited', 'running', 'created', 'paused', 'configured'].includes(cond)) {
      throw new TsmanError('EUSAGE', `unknown container state: ${cond}: invalid argument`);
    }
  }
  if (conds.includes('running')) {
    for (;;) {
      const st = await currentState(engine, c.id);
      if (st.status === 'running') return -1;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const st = await currentState(engine, c.id);
  if (st.status !== 'running' && st.status !== 'paused') return st.exitCode ?? 0;
  return waitExit(engine, c.id);
}

export async function wait(engine: Engine, t: Targets, o: WaitOptions): Promise<WaitReport[]> {
  return eachTarget(resolveTargets(engine, t), async (n) => ({ rawInput: n, exitCode: await waitByName(engine, n, o.conditions) }));
}
