// The cgroupfs manager: containers' cgroups are plain directories the OCI runtime makes from the
// spec's cgroupsPath (`/tsman/<id>`, under every v1 controller's hierarchy, or under the unified
// one) and removes at delete. As root only: rootless containers get no cgroup of their own (v1 is
// never delegated; on a unified host a delegated subtree could hold them, not done yet), so there
// what needs one is refused as podman refuses it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TsmanError } from '../errors.js';
import { CGROUP_ROOT, detectCgroups, type CgroupInfo } from './detect.js';
import type { CgroupManager, CgroupOp, CgroupRequest, CgroupRuntime, CgroupStats } from './manager.js';

/**
 * The cgroup part of an OCI spec's `linux` object (podman's for cgroupfs): root gets the devices
 * rule and pids.max in `resources` and the given `cgroupsPath`; rootless empty resources and no
 * path. Pure, for the spec generator (src/runtime/spec.ts) and its comparisons with podman's specs.
 */
export function cgroupfsSpec(linux: Record<string, unknown>, o: CgroupRequest & { rootless: boolean; cgroupsPath?: string }): void {
  const resources: Record<string, unknown> = {};
  if (!o.rootless) {
    resources['devices'] = [{ allow: o.privileged, access: 'rwm' }];
    const pids = o.pidsLimit ?? 2048;
    if (pids > 0) resources['pids'] = { limit: pids };
  }
  linux['resources'] = resources;
  if (!o.rootless && o.cgroupsPath) linux['cgroupsPath'] = o.cgroupsPath;
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export class CgroupfsManager implements CgroupManager {
  readonly name = 'cgroupfs' as const;
  readonly rootless: boolean;
  readonly root: string;
  private info?: CgroupInfo;

  constructor(opts: { rootless: boolean; root?: string }) {
    this.rootless = opts.rootless;
    this.root = opts.root ?? CGROUP_ROOT;
  }

  detect(): CgroupInfo {
    this.info ??= detectCgroups(this.rootless, this.root);
    return this.info;
  }

  cgroupsPath(id: string): string | undefined {
    return this.rootless ? undefined : `/tsman/${id}`;
  }

  applyToSpec(linux: Record<string, unknown>, id: string, req: CgroupRequest): void {
    cgroupfsSpec(linux, { ...req, rootless: this.rootless, cgroupsPath: this.cgroupsPath(id) });
  }

  /** On cgroup v1 podman's own messages (libpod's pause, its CLI's unpause and stats checks). */
  refusal(op: CgroupOp): TsmanError | undefined {
    if (!this.rootless) return undefined;
    const v1 = this.detect().layout !== 'unified';
    const noCgroup = 'this container does not have a cgroup';
    const freezerHint = { hint: 'pausing needs the cgroup freezer, which this host does not delegate to unprivileged users' };
    if (v1) {
      switch (op) {
        case 'pause': return new TsmanError('EUNSUPPORTED', `can not pause containers on rootless containers with cgroup V1: ${noCgroup}`, freezerHint);
        case 'unpause': return new TsmanError('EUNSUPPORTED', 'unpause is not supported for cgroupv1 rootless containers', freezerHint);
        case 'stats': return new TsmanError('EUNSUPPORTED', 'stats is not supported in rootless mode without cgroups v2');
        case 'kill-all': return new TsmanError('EUNSUPPORTED', `can not signal all the processes of rootless containers with cgroup V1: ${noCgroup}`);
      }
    }
    const verb = op === 'kill-all' ? 'signal all the processes of' : op;
    return new TsmanError('EUNSUPPORTED', `can not ${verb} rootless containers: ${noCgroup}`,
      { hint: 'rootless containers get no cgroup of their own yet (the delegated cgroup v2 subtree is not used)' });
  }

  private must(op: CgroupOp): void {
    const err = this.refusal(op);
    if (err) throw err;
  }

  stats(id: string): CgroupStats {
    this.must('stats');
    const rel = this.cgroupsPath(id)!;
    const out: CgroupStats = {};
    if (this.detect().layout === 'unified') {
      const dir = path.join(this.root, rel);
      out.pids = readNumber(path.join(dir, 'pids.current'));
      out.memoryBytes = readNumber(path.join(dir, 'memory.current'));
      try {
        const m = /^usage_usec (\d+)$/m.exec(readFileSync(path.join(dir, 'cpu.stat'), 'utf8'));
        if (m) out.cpuNanos = Number(m[1]) * 1000;
      } catch { /* no cpu.stat */ }
    } else {
      out.pids = readNumber(path.join(this.root, 'pids', rel, 'pids.current'));
      out.memoryBytes = readNumber(path.join(this.root, 'memory', rel, 'memory.usage_in_bytes'));
      out.cpuNanos = readNumber(path.join(this.root, 'cpuacct', rel, 'cpuacct.usage'));
    }
    for (const k of Object.keys(out) as (keyof CgroupStats)[]) if (out[k] === undefined) delete out[k];
    return out;
  }

  async freeze(id: string, rt: CgroupRuntime): Promise<void> {
    this.must('pause');
    await rt.pause(id);
  }

  async thaw(id: string, rt: CgroupRuntime): Promise<void> {
    this.must('unpause');
    await rt.resume(id);
  }

  async killAll(id: string, signal: string, rt: CgroupRuntime): Promise<void> {
    this.must('kill-all');
    await rt.kill(id, signal, true);
  }
}
