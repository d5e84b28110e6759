import { promises as fsp, constants as fsc } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { errnoCode } from '../errors.js';

/**
 * The one atomic write: temp file in the same directory, fsync, rename, fsync of the directory.
 * A reader sees the old content or the new, never a half-written file (containers/storage's
 * AtomicFileWriter does the same).
 */
export async function atomicWriteFile(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${randomBytes(6).toString('hex')}`);
  const fh = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

export async function atomicWriteJson(file: string, value: unknown, mode = 0o644): Promise<void> {
  await atomicWriteFile(file, JSON.stringify(value, null, 1) + '\n', mode);
}

export async function fsyncDir(dir: string): Promise<void> {
  try {
    const dh = await fsp.open(dir, fsc.O_RDONLY);
    try { await dh.sync(); } finally { await dh.close(); }
  } catch { /* some filesystems refuse fsync on directories; the rename is still atomic */ }
}

export async function readJsonIfExists<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
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
  await fsp.mkdir(dir, { recursive: true, mode });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
