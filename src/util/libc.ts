// Syscalls Node lacks, through koffi. Loaded lazily: most commands never need them, and loading
// libc through koffi costs a few milliseconds.
import { createRequire } from 'node:module';
import { readFileSync, openSync, closeSync, constants as fsc } from 'node:fs';
import * as path from 'node:path';
import { distSrcPath, PACKAGE_ROOT } from './selfpath.js';

const require = createRequire(distSrcPath('util/libc.js'));

type Koffi = typeof import('koffi');
let koffiMod: Koffi | undefined;

/**
 * koffi's native module itself. Its index.js loads https, zlib and crypto for a download helper
 * it only uses at install time (~10 ms of a ~12 ms load on the test machines); the native module
 * alone is 1 ms. The package's entry is the fallback (another platform layout, a version check).
 */
export function loadKoffi(): Koffi {
  if (koffiMod) return koffiMod;
  const arch = process.arch === 'x64' || process.arch === 'arm64' || process.arch === 'ia32' ? process.arch : undefined;
  if (arch && process.platform === 'linux') {
    // our own node_modules first, opened directly: require()'s resolution costs ~1 ms here
    try {
      const dir = path.join(PACKAGE_ROOT, 'node_modules', 'koffi');
      const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
      const m = { exports: {} as Koffi & { version?: string } };
      process.dlopen(m, path.join(dir, 'build', 'koffi', `linux_${arch}`, 'koffi.node'));
      if (m.exports.version === version) return (koffiMod = m.exports);
    } catch { /* resolved by require() below */ }
    try {
      const native = require(`koffi/build/koffi/linux_${arch}/koffi.node`) as Koffi & { version?: string };
      const pkg = require('koffi/package.json') as { version: string };
      if (native.version === pkg.version) return (koffiMod = native);
    } catch { /* the package's own loader */ }
  }
  return (koffiMod = require('koffi') as Koffi);
}

type Fn = (...args: unknown[]) => number;

interface Libc {
  flock: Fn;
  mknod: Fn;
  lsetxattr: Fn;
  lgetxattr: Fn;
  mount: Fn;
  umount2: Fn;
  setns: Fn;
  ioctl: Fn;
  errno: () => number;
}

let libc: Libc | undefined;
let libHandle: { func(decl: string): unknown } | undefined;

/**
 * End the process as a C or Go program ends on a closed output pipe: killed by SIGPIPE (a shell
 * then reports 141, as for podman; `cmd | head` prints no error). Node ignores SIGPIPE, so the
 * default action is put back first; _exit(141) if the signal somehow does not end the process.
 */
export function dieOfSigpipe(): never {
  const k = loadKoffi();
  const c = k.load('libc.so.6');
  (c.func('void *signal(int sig, void *handler)') as (s: number, h: null) => unknown)(13, null);
  (c.func('int raise(int sig)') as (s: number) => number)(13);
  (c.func('void _exit(int)') as (code: number) => void)(141);
  throw new Error('unreachable');
}

/**
 * End the process now, with `code`, without Node's teardown (freeing V8's heap and the platform
 * takes a few ms of every command): for the last 'exit' listener, when everything is written
 * (process.stdout/stderr are synchronous on Linux for files, pipes and terminals). Only when koffi
 * is already loaded (loading it would cost more than it saves) and Node runs without flags;
 * returns otherwise.
 */
export function exitNow(code: number): void {
  // Node flags (--cpu-prof, --inspect...): their output is written at teardown
  if (!koffiMod || process.execArgv.length > 0) return;
  const exit = koffiMod.load('libc.so.6').func('void _exit(int)') as (c: number) => void;
  exit(code);
}

function load(): Libc {
  if (libc) return libc;
  const k = loadKoffi();
  const lib = libHandle = k.load('libc.so.6');
  const errnoLoc = lib.func('int *__errno_location()');
  libc = {
    flock: lib.func('int flock(int fd, int op)') as Fn,
    mknod: lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)') as Fn,
    lsetxattr: lib.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)') as Fn,
    lgetxattr: lib.func('long lgetxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)') as Fn,
    mount: lib.func('int mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data)') as Fn,
    umount2: lib.func('int umount2(const char *target, int flags)') as Fn,
    setns: lib.func('int setns(int fd, int nstype)') as Fn,
    ioctl: lib.func('int ioctl(int fd, unsigned long req, void *arg)') as Fn,
    errno: () => k.decode(errnoLoc(), 'int') as number,
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

let llistxattrFn: Fn | undefined;

/** The names of a file's extended attributes (the link's own, never followed). */
export function llistxattr(path: string): string[] {
  const l = load();
  // declared on first use: only layer diffs and their tests list xattrs
  llistxattrFn ??= libHandle!.func('long llistxattr(const char *path, _Out_ uint8_t *list, size_t size)') as Fn;
  const buf = Buffer.alloc(65536);
  const ret = llistxattrFn(path, buf, buf.length) as number;
  if (ret < 0) {
    const e = l.errno();
    if (e === 95 /* EOPNOTSUPP */) return [];
    throw new SyscallError('llistxattr', path, e);
  }
  return buf.subarray(0, ret).toString('latin1').split('\0').filter((n) => n !== '');
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

export const CLONE_NEWNET = 0x40000000;

/** Move the calling thread (Node's main thread: where sockets are created) into a namespace. */
export function setns(fd: number, nstype: number): void {
  check(load().setns(fd, nstype), 'setns', String(fd));
}

// ---- Unix sockets (conmon's SEQPACKET attach socket, which Node's net module cannot open) ----
// A separate loader so that the functions above stay untouched. Blocking waits run as koffi async
// calls (worker threads); the data moves in non-blocking calls on the main thread, where errno is
// readable (an async call's errno stays in its worker thread).

type AsyncFn = Fn & { async: (...args: unknown[]) => void };

interface SockLib {
  socket: Fn;
  connect: Fn;
  recv: Fn;
  send: Fn;
  shutdown: Fn;
  close: Fn;
  poll: AsyncFn;
  errno: () => number;
}

let sockLib: SockLib | undefined;

function loadSock(): SockLib {
  if (sockLib) return sockLib;
  const koffi = loadKoffi();
  const lib = koffi.load('libc.so.6');
  sockLib = {
    socket: lib.func('int socket(int domain, int type, int protocol)') as Fn,
    connect: lib.func('int connect(int fd, const void *addr, uint32_t len)') as Fn,
    recv: lib.func('long recv(int fd, _Out_ void *buf, size_t len, int flags)') as Fn,
    send: lib.func('long send(int fd, const void *buf, size_t len, int flags)') as Fn,
    shutdown: lib.func('int shutdown(int fd, int how)') as Fn,
    close: lib.func('int close(int fd)') as Fn,
    poll: lib.func('int poll(void *fds, unsigned long nfds, int timeout)') as AsyncFn,
    errno: () => koffi.errno() as number,
  };
  return sockLib;
}

/** An error of a socket call, named by its errno (`connect \`/x\`: ECONNREFUSED`). */
export class SocketError extends Error {
  readonly code: string;
  readonly errno: number;
  constructor(call: string, errno: number, path?: string) {
    const name = errnoName(errno);
    super(`${call}${path !== undefined ? ` \`${path}\`` : ''}: ${name}`);
    this.code = name;
    this.errno = errno;
  }
}

let errnoNames: Map<number, string> | undefined;
function errnoName(errno: number): string {
  if (!errnoNames) {
    const { constants } = require('node:os') as typeof import('node:os');
    errnoNames = new Map(Object.entries(constants.errno).map(([k, v]) => [v, k]));
  }
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

export const AF_UNIX = 1;
export const SOCK_STREAM = 1;
export const SOCK_SEQPACKET = 5;
export const SOCK_CLOEXEC = 0o2000000;
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const POLLIN = 0x1;
export const POLLOUT = 0x4;

/** socket(2) + connect(2) to a unix socket path (at most 107 bytes: use /proc/self/fd/N for longer). */
export function unixConnect(path: string, type = SOCK_SEQPACKET): number {
  const l = loadSock();
  const fd = l.socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new SocketError('socket', l.errno());
  const raw = Buffer.from(path);
  if (raw.length > 107) {
    l.close(fd);
    throw new SocketError('connect', 36 /* ENAMETOOLONG */, path);
  }
  const addr = Buffer.alloc(110);
  addr.writeUInt16LE(AF_UNIX, 0);
  raw.copy(addr, 2);
  for (;;) {
    if (l.connect(fd, addr, 2 + raw.length + 1) === 0) return fd;
    const e = l.errno();
    if (e === 4 /* EINTR */) continue;
    l.close(fd);
    throw new SocketError('connect', e, path);
  }
}

/**
 * One non-blocking recv(2): the bytes read (a whole packet on SOCK_SEQPACKET), `null` at end of
 * stream, `undefined` when nothing is ready (EAGAIN/EINTR).
 */
export function recvNonBlocking(fd: number, buf: Buffer): number | null | undefined {
  const l = loadSock();
  const n = l.recv(fd, buf, buf.length, MSG_DONTWAIT);
  if (n > 0) return n;
  if (n === 0) return null;
  const e = l.errno();
  if (e === 11 /* EAGAIN */ || e === 4 /* EINTR */) return undefined;
  if (e === 104 /* ECONNRESET */) return null;
  throw new SocketError('recv', e);
}

/** One non-blocking send(2) (no SIGPIPE): bytes sent, or `undefined` when the socket is full. */
export function sendNonBlocking(fd: number, data: Uint8Array): number | undefined {
  const l = loadSock();
  const n = l.send(fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n >= 0) return n;
  const e = l.errno();
  if (e === 11 || e === 4) return undefined;
  throw new SocketError('send', e);
}

/**
 * Wait in a worker thread until fd is ready for `events` (POLLIN/POLLOUT), hung up, or timeoutMs
 * passes. Resolves with poll(2)'s return value (> 0 ready, 0 timeout, < 0 interrupted).
 */
export function pollAsync(fd: number, events: number, timeoutMs: number): Promise<number> {
  const l = loadSock();
  const pfd = Buffer.alloc(8);
  pfd.writeInt32LE(fd, 0);
  pfd.writeInt16LE(events, 4);
  return new Promise((resolve, reject) => {
    l.poll.async(pfd, 1, timeoutMs, (err: unknown, res: number) => {
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(res);
    });
  });
}

export function shutdownSocket(fd: number, how: number): void {
  const l = loadSock();
  if (l.shutdown(fd, how) < 0) {
    const e = l.errno();
    if (e !== 107 /* ENOTCONN */) throw new SocketError('shutdown', e);
  }
}

export function closeFd(fd: number): void {
  loadSock().close(fd);
}

const FS_IOC_GETFLAGS = 0x80086601;
const FS_IOC_SETFLAGS = 0x40086602;
const FS_TOPDIR_FL = 0x00020000;

/**
 * `chattr +T DIR`: ext2/3/4 then places each new subdirectory of DIR in a block group of its own
 * choosing (the Orlov allocator, as for directories in the file system's root) instead of next to
 * DIR. Best effort: false where the file system has no such flag (xfs, btrfs, tmpfs) or refuses.
 */
export function markTopDir(dir: string): boolean {
  let fd = -1;
  try {
    fd = openSync(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
    const l = load();
    // the kernel reads and writes an int, whatever the ioctl number says
    const flags = Buffer.alloc(8);
    if (l.ioctl(fd, FS_IOC_GETFLAGS, flags) !== 0) return false;
    const f = flags.readInt32LE(0);
    if (f & FS_TOPDIR_FL) return true;
    flags.writeInt32LE(f | FS_TOPDIR_FL, 0);
    return l.ioctl(fd, FS_IOC_SETFLAGS, flags) === 0;
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
