// File locks for the store. We use flock(2) through koffi rather than proper-lockfile: a kernel
// lock is released the instant its holder dies, so after `kill -9` mid-operation the next command
// proceeds at once, where a mkdir lock would block everyone until it went stale (README: "Why
// flock"). Locks are advisory and per open file description; each Lock opens its own fd.
//
// Lock order (always outer to inner, never the reverse):
//   1. <graphroot>/tsman/storage.lock   the store's metadata (images.json, layers.json, names)
//   2. <graphroot>/tsman/blobs/<d>.lock per-blob download lock (held while one process fetches it)
// A process holding a blob lock never waits for the store lock.
import { openSync, closeSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { flock, LOCK_EX, LOCK_SH, LOCK_NB, LOCK_UN } from './libc.js';
import { TsmanError } from '../errors.js';
import { sleep } from './fsutil.js';

export class FileLock {
  private fd: number | undefined;
  private depth = 0;
  /** in-process waiters: flock excludes processes, this excludes async tasks of one process */
  private waiters: Array<() => void> = [];
  constructor(readonly file: string) {}

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

  private async acquire(exclusive: boolean, timeoutMs: number): Promise<void> {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const fd = openSync(this.file, 'a+', 0o600);
    const op = (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;
    const deadline = Date.now() + timeoutMs;
    let wait = 2;
    while (!flock(fd, op)) {
      if (Date.now() > deadline) {
        closeSync(fd);
        throw new TsmanError('ELOCK', `timed out waiting for lock ${this.file}`);
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 50);
    }
    this.fd = fd;
  }

  tryLock(exclusive = true): boolean {
    if (this.depth > 0) return false;
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const fd = openSync(this.file, 'a+', 0o600);
    if (!flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB)) { closeSync(fd); return false; }
    this.fd = fd;
    this.depth = 1;
    return true;
  }

  unlock(): void {
    if (this.depth === 0) return;
    this.depth = 0;
    const fd = this.fd!;
    this.fd = undefined;
    try { flock(fd, LOCK_UN); } finally { closeSync(fd); this.waiters.shift()?.(); }
  }

  async with<T>(fn: () => Promise<T>, exclusive = true): Promise<T> {
    await this.lock(exclusive);
    try {
      return await fn();
    } finally {
      this.unlock();
    }
  }
}
