// `container cleanup`: what the monitor runs when a container exits (network, mounts; --rm).
import type { Engine } from '../index.js';
import { findContainer } from './lookup.js';
import { cleanupContainer } from './lifecycle.js';

export async function cleanupByName(engine: Engine, name: string): Promise<void> {
  const c = findContainer(engine.store.read(), name);
  if (c) await cleanupContainer(engine, c.id, true);
}

export async function cleanup(engine: Engine, names: string[]): Promise<void> {
  for (const n of names) await cleanupByName(engine, n);
}
