// Syscalls Node lacks, through koffi. Loaded lazily: most commands never need them, and loading
// libc through koffi costs a few milliseconds.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Fn = (...args: unknown[]) => number;

interface Libc {
  flock: Fn;
  mknod: Fn;
  lsetxattr: Fn;
  lgetxattr: Fn;
  mount: Fn;
  umount2: Fn;
  errno: () => number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc) return libc;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const koffi = require('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  const errnoLoc = lib.func('int *__errno_location()');
  libc = {
    flock: lib.func('int flock(int fd, int op)') as Fn,
    mknod: lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)') as Fn,
    lsetxattr: lib.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)') as Fn,
    lgetxattr: lib.func('long lgetxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)') as Fn,
    mount: lib.func('int mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data)') as Fn,
    umount2: lib.func('int umount2(const char *target, int flags)') as Fn,
    errno: () => koffi.decode(errnoLoc(), 'int') as number,
  };
  return libc;
}

const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 4: 'EINTR', 11: 'EAGAIN', 13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST', 20: 'ENOTDIR',
  21: 'EISDIR', 22: 'EINVAL', 28: 'ENOSPC', 30: 'EROFS', 38: 'ENOSYS', 61: 'ENODATA', 95: 'EOPNOTSUPP',
};

export class SyscallError extends Error {
  readonly code: string;
  readonly errno: number;
  constructor(call: string, path: string | undefined, errno: number) {
    const name = ERRNO_NAMES[errno] ?? `errno ${errno}`;
    super(`${call}${path !== undefined ? ` \`${path}\`` : ''}: ${name}`);
    this.code = name;
    this.errno = errno;
  }
}

function check(ret: number, call: string, path?: string): number {
  if (ret < 0) throw new SyscallError(call, path, load().errno());
  return ret;
}

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

/** flock(2); returns false when LOCK_NB was given and the lock is held elsewhere. */
export function flock(fd: number, op: number): boolean {
  const l = load();
  const ret = l.flock(fd, op);
  if (ret === 0) return true;
  const e = l.errno();
  if (e === 11 /* EWOULDBLOCK */) return false;
  throw new SyscallError('flock', undefined, e);
}

export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n);
}

export function mknod(path: string, mode: number, dev: bigint = 0n): void {
  check(load().mknod(path, mode, dev), 'mknod', path);
}

export function lsetxattr(path: string, name: string, value: Buffer): void {
  check(load().lsetxattr(path, name, value, value.length, 0), 'lsetxattr', path);
}

export function lgetxattr(path: string, name: string): Buffer | undefined {
  const buf = Buffer.alloc(65536);
  const l = load();
  const ret = l.lgetxattr(path, name, buf, buf.length);
  if (ret < 0) {
    const e = l.errno();
    if (e === 61 /* ENODATA */ || e === 95) return undefined;
    throw new SyscallError('lgetxattr', path, e);
  }
  return buf.subarray(0, ret);
}

export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_BIND = 4096;
export const MS_REC = 16384;
export const MS_PRIVATE = 1 << 18;
export const MNT_DETACH = 2;

export function mount(src: string, target: string, fstype: string | null, flags: number, data: string | null): void {
  check(load().mount(src, target, fstype, flags, data), 'mount', target);
}

export function umount2(target: string, flags = 0): void {
  check(load().umount2(target, flags), 'umount', target);
}
