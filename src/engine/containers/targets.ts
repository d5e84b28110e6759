// Which containers a multi-target verb acts on (names as given, --all, --latest) and the loop that
// gives each its own report: an error stops only its own target (podman's pattern).
import type { Engine } from '../index.js';
import type { ContainerRecord } from './types.js';
import type { Report, Targets } from '../targets.js';
import { TsmanError } from '../../errors.js';
import { byteCompare } from '../../util/human.js';

/** The newest container (podman's --latest), if any. */
export function latestContainer(ctrs: ContainerRecord[]): ContainerRecord | undefined {
  return [...ctrs].sort((a, b) => byteCompare(b.created, a.created))[0];
}

/** Names or ids to act on: every container's id for --all, the newest one's for --latest. */
export function resolveTargets(engine: Engine, t: Targets): string[] {
  const ctrs = engine.store.read().containers ?? [];
  if (t.all) return ctrs.map((c) => c.id);
  if (t.latest) {
    const last = latestContainer(ctrs);
    return last ? [last.id] : [];
  }
  if (t.names.length === 0) throw new TsmanError('EUSAGE', `you must provide at least one name or id`);
  return t.names;
}

/**
 * Run `fn` on each target in turn; a TsmanError becomes that target's report (anything else is a
 * bug and ends the verb). `fn` returns undefined for a target that gets no report (--ignore).
 */
export async function eachTarget<R extends Report>(names: string[], fn: (name: string) => Promise<R | undefined>): Promise<R[]> {
  const reports: R[] = [];
  for (const n of names) {
    try {
      const r = await fn(n);
      if (r !== undefined) reports.push(r);
    } catch (err) {
      if (!(err instanceof TsmanError)) throw err;
      reports.push({ rawInput: n, err } as R);
    }
  }
  return reports;
}
