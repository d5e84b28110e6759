// `pause` / `unpause`: the runtime's freezer (root only on cgroup v1).
import type { Engine } from '../index.js';
import { mustFindContainer } from './lookup.js';
import { currentState } from './lifecycle.js';
import { writeState } from './state.js';
import * as rt from './runtime.js';
import { TsmanError } from '../../errors.js';
import { mustHaveCgroup } from './cgroups.js';

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
