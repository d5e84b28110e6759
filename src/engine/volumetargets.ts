// The volume verbs that act on a target list (`volume rm NAME...|--all`) and what `volume prune`
// would remove, over src/engine/volumes.ts.
import type { Engine } from './index.js';
import type { Report, Targets } from './targets.js';
import type { VolumeRecord, RemoveVolumeOptions } from './volumes.js';
import { TsmanError } from '../errors.js';
import { listVolumes, removeVolume } from './volumes.js';

export type VolumeRmReport = Report;

/**
 * One report per volume removed or failed, in order (all: every volume by name). `force` also
 * means a missing volume is no error and gets no report (podman).
 */
export async function removeVolumes(engine: Engine, t: Targets, o: RemoveVolumeOptions): Promise<VolumeRmReport[]> {
  if ((t.names.length > 0 && t.all) || (t.names.length === 0 && !t.all)) {
    throw new TsmanError('EUSAGE', 'choose either one or more volumes or all');
  }
  const names = t.all ? (engine.store.read().volumes ?? []).map((v) => v.name).sort() : t.names;
  const reports: VolumeRmReport[] = [];
  for (const n of names) {
    try {
      reports.push({ rawInput: await removeVolume(engine, n, o) });
    } catch (err) {
      if (o.force && err instanceof TsmanError && err.code === 'ENOTFOUND') continue;
      if (!(err instanceof TsmanError)) throw err;
      reports.push({ rawInput: n, err });
    }
  }
  return reports;
}

/** The volumes `volume prune --filter ...` would remove: unused ones matching every filter. */
export function pruneCandidates(engine: Engine, filters: string[]): VolumeRecord[] {
  const unused = new Set(listVolumes(engine, ['dangling=true']).map((v) => v.name));
  return listVolumes(engine, filters).filter((v) => unused.has(v.name));
}
