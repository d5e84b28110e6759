// A container's lock (start, stop, cleanup, rm, cp, network connect of one container serialise on
// it). Its file is in the container's own run-root directory, <runroot>/tsman/containers/<id>/lock
// (tmpfs: no disk inode per container), so it goes with the container: removal renames that
// directory into the trash while holding this lock, which the lock protocol (src/util/lock.ts)
// allows; a waiter then finds the path gone, and a missing directory whose container has no
// record means the container is gone. The lock never re-creates a removed container's directory,
// so no lock file outlives its container. (Before, locks/ctr-<id>.lock in the run root stayed
// forever: one file per container ever made.)
import { mkdirSync, rmdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../index.js';
import { ContainerPaths } from './paths.js';
import { findContainer } from './lookup.js';
import { FileLock } from '../../util/lock.js';
import { mkdirSpread } from '../../util/fsutil.js';
import { TsmanError } from '../../errors.js';

/** The container was removed (by another process) before or while we waited for its lock. */
export class ContainerGoneError extends TsmanError {
  constructor(id: string) {
    super('ENOTFOUND', `no container with name or ID "${id}" found: no such container`);
  }
}

class ContainerLock extends FileLock {
  /** this process made the container's directory again (see missing()) */
  private remade = false;

  constructor(private readonly engine: Engine, private readonly paths: ContainerPaths) {
    super(paths.lockFile);
    this.missingDir = () => this.missing();
  }

  /**
   * No directory: the container is gone, unless its record still exists (the run root is a tmpfs
   * emptied by a reboot, or a create has stored the record and not made the directory yet): then
   * the directory is made, and the record checked again once locked.
   */
  private missing(): void {
    if (!findContainer(this.engine.store.read(), this.paths.id)) throw new ContainerGoneError(this.paths.id);
    mkdirSpread(path.dirname(this.paths.runDir), 0o700);
    mkdirSync(this.paths.runDir, { recursive: true, mode: 0o700 });
    this.remade = true;
  }

  override async lock(exclusive = true, timeoutMs?: number): Promise<void> {
    await super.lock(exclusive, timeoutMs);
    if (!this.remade) return;
    this.remade = false;
    // the record may have gone between our look and our lock (its remover held the lock then):
    // what we made goes again, under the lock, as the remover's rename would have taken it
    if (findContainer(this.engine.store.read(), this.paths.id)) return;
    this.remove();
    try { rmdirSync(this.paths.runDir); } catch { /* not empty: someone else's now */ }
    throw new ContainerGoneError(this.paths.id);
  }
}

export function ctrLock(engine: Engine, id: string): FileLock {
  return new ContainerLock(engine, new ContainerPaths(engine.store, id));
}

/** Whether err says the container was removed while we waited for its lock. */
export function isContainerGone(err: unknown): boolean {
  return err instanceof ContainerGoneError;
}
