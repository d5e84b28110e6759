// `attach`: to a running container's terminal or streams; waits for its end unless detached.
import type { Engine } from '../index.js';
import { mustFindContainer } from './lookup.js';
import { ContainerPaths } from './paths.js';
import { currentState, waitExit, cleanupContainer } from './lifecycle.js';
import type { AttachIo } from './lifecycle.js';
import * as rt from './runtime.js';
import { TsmanError } from '../../errors.js';

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
