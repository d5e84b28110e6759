// The CgroupManager interface: what the engine asks of the host's cgroups for a container, apart
// from the OCI runtime. One implementation today, cgroupfs.ts (podman's "cgroupfs" manager: the
// runtime makes the container's cgroup from the spec's cgroupsPath); a systemd one (scopes through
// the user's bus) belongs to the cgroup issue and is not here.
import type { TsmanError } from '../errors.js';
import type { CgroupInfo } from './detect.js';

/** What needs the container's own cgroup. */
export type CgroupOp = 'pause' | 'unpause' | 'stats' | 'kill-all';

/** What a container asks of its cgroup at create. */
export interface CgroupRequest {
  /** --privileged: every device allowed by the devices cgroup */
  privileged: boolean;
  /** pids.max; unset: podman's default 2048; 0 or less: no limit */
  pidsLimit?: number;
}

/** A running container's use of its cgroup; a counter the host does not have is left out. */
export interface CgroupStats {
  /** processes (pids.current) */
  pids?: number;
  /** memory in use, bytes (v1 memory.usage_in_bytes, v2 memory.current) */
  memoryBytes?: number;
  /** CPU time used, nanoseconds (v1 cpuacct.usage, v2 cpu.stat usage_usec) */
  cpuNanos?: number;
}

/**
 * The runtime operations a cgroupfs manager acts through: with cgroupfs the OCI runtime owns the
 * container's cgroup (it made it), and freezing or signalling all of it is the runtime's command
 * (as podman's libpod does: `runtime pause`, `runtime kill --all`). Structural, so that this floor
 * does not import src/runtime/.
 */
export interface CgroupRuntime {
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  kill(id: string, signal: string, all: boolean): Promise<void>;
}

export interface CgroupManager {
  /** as podman's `info` and `inspect` show it (CgroupManager) */
  readonly name: 'cgroupfs';
  /** The host's hierarchy and this caller's delegation (detect.ts). */
  detect(): CgroupInfo;
  /** The container's cgroup (the spec's linux.cgroupsPath), or undefined when it gets none. */
  cgroupsPath(id: string): string | undefined;
  /** Set the cgroup part of an OCI spec's `linux` object: `resources`, then `cgroupsPath`. */
  applyToSpec(linux: Record<string, unknown>, id: string, req: CgroupRequest): void;
  /**
   * Why `op` cannot be done for this caller's containers (they have no cgroup), or undefined when
   * it can: for callers that refuse before looking at the container (the methods below check too).
   */
  refusal(op: CgroupOp): TsmanError | undefined;
  /** A running container's counters; refused where containers get no cgroup. */
  stats(id: string): CgroupStats;
  /** Freeze every process of the container (pause); refused where containers get no cgroup. */
  freeze(id: string, rt: CgroupRuntime): Promise<void>;
  /** Thaw a frozen container (unpause); refused where containers get no cgroup. */
  thaw(id: string, rt: CgroupRuntime): Promise<void>;
  /** Signal every process of the container, not only its init; refused where containers get no cgroup. */
  killAll(id: string, signal: string, rt: CgroupRuntime): Promise<void>;
}
