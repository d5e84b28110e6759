// `container prune`: every container that is not running or paused.
import type { Engine } from '../index.js';
import { currentState, removeContainer } from './lifecycle.js';

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
