// What the host's cgroups are and what of them this user may use: the facts every resource
// decision starts from (which runtime can run here, whether limits can be enforced, what `info`
// reports). Three layouts exist:
//   unified  /sys/fs/cgroup is cgroup2 (every controller there; podman's cgroup v2)
//   hybrid   v1 controllers under /sys/fs/cgroup/<name>, a cgroup2 mount at /sys/fs/cgroup/unified
//            holding the rest (these machines: hugetlb only); podman and runc call it v1
//   legacy   v1 only
// Rootless, only a delegated cgroup2 subtree (systemd's Delegate=yes: the user owns the cgroup
// directory and its cgroup.subtree_control) can hold limits; v1 is never delegated.
import { readFileSync, statfsSync, statSync } from 'node:fs';
import * as path from 'node:path';

const CGROUP2_SUPER_MAGIC = 0x63677270;
export const CGROUP_ROOT = '/sys/fs/cgroup';

export type CgroupLayout = 'unified' | 'hybrid' | 'legacy';

function isCgroup2(mountPoint: string): boolean {
  try {
    return Number(statfsSync(mountPoint).type) === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

function read(file: string): string | undefined {
  try { return readFileSync(file, 'utf8'); } catch { return undefined; }
}

/** The layout of `root` (default /sys/fs/cgroup). */
export function cgroupLayout(root = CGROUP_ROOT): CgroupLayout {
  if (isCgroup2(root)) return 'unified';
  return isCgroup2(path.join(root, 'unified')) ? 'hybrid' : 'legacy';
}

/** Whether /sys/fs/cgroup is the unified (v2-only) hierarchy. */
export function isCgroupUnified(root = CGROUP_ROOT): boolean {
  return isCgroup2(root);
}

/** podman's CgroupsVersion: v2 only for the unified layout (hybrid counts as v1). */
export function cgroupVersion(root = CGROUP_ROOT): 'v1' | 'v2' {
  return isCgroup2(root) ? 'v2' : 'v1';
}

/** This process's cgroup2 path ("/user.slice/..."), from /proc/self/cgroup's `0::` line. */
export function ownCgroup2Path(procCgroup = read('/proc/self/cgroup') ?? ''): string | undefined {
  const line = procCgroup.split('\n').find((l) => l.startsWith('0::'));
  return line === undefined ? undefined : line.slice(3) || '/';
}

/** The v1 controllers mounted on this host, in /proc/cgroups' order (hierarchy id > 0, enabled). */
export function v1Controllers(procCgroups = read('/proc/cgroups') ?? ''): string[] {
  const out: string[] = [];
  for (const line of procCgroups.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [name, hierarchy, , enabled] = line.split(/\s+/);
    if (name && Number(hierarchy) > 0 && enabled === '1') out.push(name);
  }
  return out;
}

/** The controllers of a cgroup2 directory (its cgroup.controllers). */
export function v2Controllers(dir: string): string[] {
  return (read(path.join(dir, 'cgroup.controllers')) ?? '').trim().split(/\s+/).filter(Boolean);
}

/**
 * Whether the caller may manage the cgroup2 directory `dir`: it owns the directory and its
 * cgroup.subtree_control and cgroup.procs (what systemd's Delegate=yes hands a user).
 */
export function isDelegated(dir: string, uid = process.getuid?.() ?? 0): boolean {
  if (uid === 0) return true;
  try {
    return [dir, path.join(dir, 'cgroup.subtree_control'), path.join(dir, 'cgroup.procs')]
      .every((p) => statSync(p).uid === uid);
  } catch {
    return false;
  }
}

export interface CgroupInfo {
  layout: CgroupLayout;
  version: 'v1' | 'v2';
  /** what podman's `info` lists as CgroupControllers for this caller */
  controllers: string[];
  /** the caller's own cgroup2 directory (unified layout), and whether it is delegated to the caller */
  own?: { dir: string; delegated: boolean };
}

/**
 * The facts for `info` and for resource decisions, as podman reports them: root sees every
 * controller of the host (v1: the mounted ones; v2: the root cgroup's); a rootless user on v2
 * sees those of its own cgroup when delegated, none otherwise, and none on v1.
 */
export function detectCgroups(rootless: boolean, root = CGROUP_ROOT): CgroupInfo {
  const layout = cgroupLayout(root);
  const version = layout === 'unified' ? 'v2' : 'v1';
  if (layout !== 'unified') return { layout, version, controllers: rootless ? [] : v1Controllers() };
  const rel = ownCgroup2Path();
  const dir = path.join(root, rel ?? '/');
  const delegated = isDelegated(dir);
  if (!rootless) return { layout, version, controllers: v2Controllers(root), own: { dir, delegated } };
  return { layout, version, controllers: delegated ? v2Controllers(dir) : [], own: { dir, delegated } };
}
