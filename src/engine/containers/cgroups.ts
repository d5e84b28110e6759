// The engine's cgroup manager (src/cgroupv2/): cgroupfs, the only one there is. containers.conf's
// cgroup_manager is read but not used (docs/containers-conf.md).
import type { Engine } from '../index.js';
import { CgroupfsManager } from '../../cgroupv2/cgroupfs.js';
import type { CgroupManager, CgroupOp } from '../../cgroupv2/manager.js';

let manager: CgroupfsManager | undefined;

export function cgroups(engine: Engine): CgroupManager {
  if (manager?.rootless !== engine.rootless) manager = new CgroupfsManager({ rootless: engine.rootless });
  return manager;
}

/** Refuse `op` up front when this caller's containers have no cgroup to do it with. */
export function mustHaveCgroup(engine: Engine, op: CgroupOp): void {
  const err = cgroups(engine).refusal(op);
  if (err) throw err;
}
