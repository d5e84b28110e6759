import type { StoreState } from '../../storage/store.js';
import type { ContainerRecord } from './types.js';
import { TsmanError } from '../../errors.js';

/** By full name, full id, or a unique id prefix — podman's order. */
export function findContainer(state: StoreState, q: string): ContainerRecord | undefined {
  const ctrs = state.containers ?? [];
  const byName = ctrs.find((c) => c.name === q);
  if (byName) return byName;
  const byId = ctrs.find((c) => c.id === q);
  if (byId) return byId;
  if (/^[0-9a-f]+$/.test(q)) {
    const hits = ctrs.filter((c) => c.id.startsWith(q));
    if (hits.length > 1) throw new TsmanError('EUSAGE', `more than one result for container ID ${q}: ambiguous`);
    return hits[0];
  }
  return undefined;
}

export function noSuchContainer(q: string): TsmanError {
  return new TsmanError('ENOTFOUND', `no container with name or ID "${q}" found: no such container`);
}

export function mustFindContainer(state: StoreState, q: string): ContainerRecord {
  const c = findContainer(state, q);
  if (!c) throw noSuchContainer(q);
  return c;
}
