// File locks for the store. We use flock(2) through koffi rather than proper-lockfile: a kernel
// lock is released the instant its holder dies, so after `kill -9` mid-operation the next command
// proceeds at once, where a mkdir lock would block everyone until it went stale (README: "Why
// flock"). Locks are advisory and per open file description; each Lock opens its own fd.
//
// Lock order (always outer to inner, never the reverse):
//   1. a container's lock: <runroot>/tsman/containers/<id>/lock (src/engine/containers/lock.ts)
//   2. <graphroot>/tsman/locks/layer-<id>.lock: one layer's extraction (src/image/pull.ts)
//   3. <graphroot>/tsman/storage.lock: store.json (src/storage/store.ts)
// A process holding storage.lock never waits for a layer or container lock (it may try one).
//
// Removing a lock file (the protocol that lets per-object lock files go with their object):
//   - a lock counts only if, after flock() succeeded, the file at the path is still the one the
//     fd was opened on (fstat of the fd = stat of the path: same device and inode). If not, the
//     file was unlinked (or its directory renamed away) by its holder while we waited: close it,
//     and lock what is at the path now (or learn that the object is gone).
//   - a lock file is unlinked (or its directory renamed) only by a holder of that very lock,
//     before it unlocks (`remove()`).
// Together: while P holds the lock on inode I and has seen the path name I, nobody else can change
// the path (only I's holder may, and that is P), so no second process can pass the check with
// another inode, and none with I (flock). Waiters that lose the race just go round again.
import { openSync, closeSync, mkdirSync, fstatSync, statSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { flock, LOCK_EX, LOCK_SH, LOCK_NB, LOCK_UN } from './libc.js';
import { TsmanError, errnoCode } from '../errors.js';
import { sleep } from './fsutil.js';

export interface FileLockOptions {
  /**
   * Called when the lock file cannot be opened because its directory does not exist. Without it
   * the directory is created; with it, it decides: throw (the object the lock guards is gone), or
   * make the directory and return to try again. Locks kept in their object's own directory use it
   * so that a removed object's directory is never re-created by a waiter.
   */
  missingDir?: () => void;
}

export class FileLock {
  private fd: number | undefined;
  private depth = 0;
  /** in-process waiters: flock excludes processes, this excludes async tasks of one process */
  private waiters: Array<() => void> = [];
  /** FileLockOptions.missingDir (a subclass may set it in its constructor) */
  protected missingDir: (() => void) | undefined;
  constructor(readonly file: string, opts: FileLockOptions = {}) {
    this.missingDir = opts.missingDir;
  }

  /** Take the lock, waiting up to timeoutMs. NOT re-entrant: concurrent tasks queue. */
  async lock(exclusive = true, timeoutMs = 10 * 60_000): Promise<void> {
    while (this.depth > 0) await new Promise<void>((r) => this.waiters.push(r));
    this.depth = 1;
    try {
      await this.acquire(exclusive, timeoutMs);
    } catch (err) {
      this.depth = 0;
      this.waiters.shift()?.();
      throw err;
    }
  }

  private open(): number {
    if (!this.missingDir) mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    for (let tries = 0; ; tries++) {
      try {
        return openSync(this.file, 'a+', 0o600);
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT' || !this.missingDir || tries > 2) throw err;
        this.missingDir();
      }
    }
  }

  /** Whether fd is (still) the file at the path: see the protocol above. */
  private current(fd: number): boolean {
    const at = statSync(this.file, { throwIfNoEntry: false });
    if (!at) return false;
    const mine = fstatSync(fd);
    return at.ino === mine.ino && at.dev === mine.dev;
  }

  private async acquire(exclusive: boolean, timeoutMs: number): Promise<void> {
    const op = (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fd = this.open();
      let wait = 2;
      while (!flock(fd, op)) {
        if (Date.now() > deadline) {
          closeSync(fd);
          throw new TsmanError('ELOCK', `timed out waiting for lock ${this.file}`);
        }
        await sleep(wait);
        wait = Math.min(wait * 2, 50);
      }
      if (this.current(fd)) {
        this.fd = fd;
        return;
      }
      closeSync(fd); // its holder removed it: the lock is the file at the path now
    }
  }

  tryLock(exclusive = true): boolean {
    if (this.depth > 0) return false;
    for (;;) {
      const fd = this.open();
      if (!flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB)) { closeSync(fd); return false; }
      if (this.current(fd)) {
        this.fd = fd;
        this.depth = 1;
        return true;
      }
      closeSync(fd);
    }
  }

  unlock(): void {
    if (this.depth === 0) return;
    this.depth = 0;
    const fd = this.fd!;
    this.fd = undefined;
    try { flock(fd, LOCK_UN); } finally { closeSync(fd); this.waiters.shift()?.(); }
  }

  /**
   * Unlink the lock file, then unlock: for a lock whose object is gone (or done with). Must hold
   * the lock EXCLUSIVELY (a shared holder would pull the file from under the other sharers).
   */
  remove(): void {
    if (this.depth === 0) throw new Error(`remove: lock ${this.file} is not held`);
    try {
      unlinkSync(this.file);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') { this.unlock(); throw err; }
    }
    this.unlock();
  }

  async with<T>(fn: () => Promise<T>, exclusive = true): Promise<T> {
    await this.lock(exclusive);
    try {
      return await fn();
    } finally {
      this.unlock();
    }
  }

  /**
   * `with`, then the lock file goes (exclusive): for a lock that only keeps concurrent workers on
   * one thing apart (a layer's extraction), needed by nobody once its holder is done, whether it
   * succeeded or not. A waiter then locks a new file and finds the work done (or does it).
   */
  async withThenRemove<T>(fn: () => Promise<T>): Promise<T> {
    await this.lock(true);
    try {
      return await fn();
    } finally {
      this.remove();
    }
  }
}
