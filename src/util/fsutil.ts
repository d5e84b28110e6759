import { promises as fsp, constants as fsc, openSync, writeFileSync, fsyncSync, closeSync, renameSync, rmSync, readFileSync, mkdirSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { errnoCode } from '../errors.js';
import { markTopDir } from './libc.js';

/**
 * The one atomic write: temp file in the same directory, fsync, rename, fsync of the directory.
 * A reader sees the old content or the new, never a half-written file (containers/storage's
 * AtomicFileWriter does the same).
 */
export interface WriteOpts {
  /**
   * fsync the file and its directory (default). Off for files that are rebuilt at every start or
   * live in the run root (a tmpfs, gone at reboot): the rename alone already makes the change
   * atomic for every reader, and each fsync can cost milliseconds on a disk.
   */
  durable?: boolean;
}

/**
 * Replace `file` atomically: write a temp file next to it, rename it over. Synchronous calls
 * inside (small files: a round trip through libuv's thread pool costs more than the write).
 */
export async function atomicWriteFile(file: string, data: string | Uint8Array, mode = 0o644, opts: WriteOpts = {}): Promise<void> {
  atomicWriteFileSync(file, data, mode, opts);
}

export function atomicWriteFileSync(file: string, data: string | Uint8Array, mode = 0o644, opts: WriteOpts = {}): void {
  const durable = opts.durable ?? true;
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${(tmpSeq++).toString(36)}${Math.random().toString(36).slice(2, 8)}`);
  const fd = openSync(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
  try {
    writeFileSync(fd, data);
    if (durable) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  if (durable) fsyncDirSync(dir);
}
let tmpSeq = 0;

/** The text atomicWriteJson writes for `value`. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 1) + '\n';
}

export async function atomicWriteJson(file: string, value: unknown, mode = 0o644, opts: WriteOpts = {}): Promise<void> {
  atomicWriteFileSync(file, jsonText(value), mode, opts);
}

function fsyncDirSync(dir: string): void {
  try {
    const fd = openSync(dir, fsc.O_RDONLY);
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch { /* some filesystems refuse fsync on directories; the rename is still atomic */ }
}

export async function readJsonIfExists<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

export async function mkdirp(dir: string, mode = 0o700): Promise<void> {
  mkdirSync(dir, { recursive: true, mode });
}

/**
 * mkdir -p for a directory whose subdirectories come and go by the hundred (one per container):
 * made new, it is marked a top directory (chattr +T), so ext4 puts each subdirectory, and with it
 * the files made in it, in a block group of its own choosing rather than next to its parent.
 * Why: ext4 without a journal (these test machines' disks) will not reuse an inode freed in the
 * last minute or more, and finds the next free one by stepping over every such inode of the
 * group, one buffer-cache lookup each. Every container's few dozen files, created and deleted
 * next to the image store, everything else in the home directory and the previous containers,
 * made each new file cost ~0.3 ms after a few hundred runs (~13 ms of a `run --rm`: tsman,
 * conmon and runc together). A directory that already exists is left as it is.
 */
export function mkdirSpread(dir: string, mode = 0o700): void {
  if (mkdirSync(dir, { recursive: true, mode }) !== undefined) markTopDir(dir);
}

/**
 * Remove one file if it is there: a single unlink(2). fs.rmSync(f, { force: true }) stats first
 * and goes through its rimraf module (~0.15 ms a call: a `run` removes a dozen possible leftovers).
 */
export function unlinkIfExists(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') rmSync(file, { force: true, recursive: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
