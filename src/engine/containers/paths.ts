import * as path from 'node:path';
import type { Store } from '../../storage/store.js';

/** Where a container's files live; see docs/CONTAINERS.md. */
export class ContainerPaths {
  constructor(private readonly store: Store, readonly id: string) {}
  get dir(): string { return path.join(this.store.dir, 'containers', this.id); }
  get diff(): string { return path.join(this.dir, 'diff'); }
  get work(): string { return path.join(this.dir, 'work'); }
  get userdata(): string { return path.join(this.dir, 'userdata'); }
  get bundle(): string { return this.userdata; }
  get log(): string { return path.join(this.userdata, 'ctr.log'); }
  get pidFile(): string { return path.join(this.userdata, 'pidfile'); }
  get conmonPidFile(): string { return path.join(this.userdata, 'conmon.pid'); }
  get ctl(): string { return path.join(this.userdata, 'ctl'); }
  get runDir(): string { return path.join(this.store.runDir, 'containers', this.id); }
  get merged(): string { return path.join(this.runDir, 'merged'); }
  get stateFile(): string { return path.join(this.runDir, 'state.json'); }
  /** in the container's own run-root directory, so it goes with it (./lock.ts) */
  get lockFile(): string { return path.join(this.runDir, 'lock'); }
  /** where an older tsman kept the lock (run root): removed with the container */
  get legacyLockFile(): string { return path.join(this.store.runDir, 'locks', `ctr-${this.id}.lock`); }
}

export function runtimeRoot(store: Store): string { return path.join(store.runDir, 'runc'); }
export function exitDir(store: Store): string { return path.join(store.runDir, 'exits'); }
export function socketDir(store: Store): string { return path.join(store.runDir, 'socket'); }
