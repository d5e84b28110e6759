// posix_spawn(3) through koffi, for the monitor (conmon) on the hot path of every `run`/`start`.
// Node's child_process forks the whole Node process (page tables of ~60 MB copied, then
// copy-on-write faults) and waits for the exec: ~3-5 ms on the test machines. glibc's posix_spawn
// uses clone(CLONE_VM | CLONE_VFORK): the child borrows the parent's memory until it execs
// (~0.5 ms). What libuv does for a child that matters here is done too: every signal back to its
// default disposition and unblocked (Node ignores SIGPIPE; an ignored signal stays ignored across
// exec, into the container), a new session (child_process's `detached`), descriptors given by
// number (everything else Node and tsman open is close-on-exec).
// The child is not Node's: `waitExit` reaps it with waitpid(WNOHANG) polls. libuv reaps only the
// pids it spawned itself, so it never takes this one's status.
import { closeSync, readSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { loadKoffi } from './libc.js';

type Fn = (...args: unknown[]) => number;

interface SpawnLib {
  posixSpawn: Fn;
  faInit: Fn;
  faDestroy: Fn;
  faAddDup2: Fn;
  faAddOpen: Fn;
  faAddChdir: Fn;
  attrInit: Fn;
  attrDestroy: Fn;
  attrSetFlags: Fn;
  attrSetSigDefault: Fn;
  attrSetSigMask: Fn;
  sigEmptySet: Fn;
  pipe2: Fn;
  fcntl: Fn;
  close: Fn;
  waitpid: Fn;
  errno: () => number;
}

let lib: SpawnLib | undefined;

function load(): SpawnLib {
  if (lib) return lib;
  const koffi = loadKoffi();
  const c = koffi.load('libc.so.6');
  lib = {
    posixSpawn: c.func('int posix_spawn(void *pid, const char *path, void *fa, void *attr, const char **argv, const char **envp)') as Fn,
    faInit: c.func('int posix_spawn_file_actions_init(void *fa)') as Fn,
    faDestroy: c.func('int posix_spawn_file_actions_destroy(void *fa)') as Fn,
    faAddDup2: c.func('int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)') as Fn,
    faAddOpen: c.func('int posix_spawn_file_actions_addopen(void *fa, int fd, const char *path, int oflag, uint32_t mode)') as Fn,
    faAddChdir: c.func('int posix_spawn_file_actions_addchdir_np(void *fa, const char *path)') as Fn,
    attrInit: c.func('int posix_spawnattr_init(void *attr)') as Fn,
    attrDestroy: c.func('int posix_spawnattr_destroy(void *attr)') as Fn,
    attrSetFlags: c.func('int posix_spawnattr_setflags(void *attr, short flags)') as Fn,
    attrSetSigDefault: c.func('int posix_spawnattr_setsigdefault(void *attr, const void *set)') as Fn,
    attrSetSigMask: c.func('int posix_spawnattr_setsigmask(void *attr, const void *set)') as Fn,
    sigEmptySet: c.func('int sigemptyset(void *set)') as Fn,
    pipe2: c.func('int pipe2(void *fds, int flags)') as Fn,
    fcntl: c.func('int fcntl(int fd, int cmd, int arg)') as Fn,
    close: c.func('int close(int fd)') as Fn,
    waitpid: c.func('int waitpid(int pid, void *status, int options)') as Fn,
    errno: () => koffi.errno() as number,
  };
  return lib;
}

const O_RDWR = 2;
const O_CLOEXEC = 0o2000000;
const F_DUPFD_CLOEXEC = 1030;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const WNOHANG = 1;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
// glibc's opaque types are 80 (file actions), 336 (attributes) and 128 (sigset_t) bytes on
// x86_64 and arm64: room to spare
const OPAQUE = 1024;

/** What the child gets as one descriptor: the parent's fd, /dev/null, or a new pipe. */
export type ChildFd = number | 'null' | 'pipe-read' | 'pipe-write';

export interface FastSpawnOptions {
  /** descriptor i of the child; 'pipe-read': the child reads, the parent gets the write end */
  fds: ChildFd[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** a session of its own (child_process's `detached`) */
  setsid?: boolean;
}

export interface FastChild {
  pid: number;
  /** the parent's end of each 'pipe-*' descriptor, by the child's fd number (close-on-exec) */
  pipes: Map<number, number>;
}

function newPipe(l: SpawnLib): [number, number] {
  const b = Buffer.alloc(8);
  if (l.pipe2(b, O_CLOEXEC) < 0) throw errnoError('pipe2', l.errno());
  return [b.readInt32LE(0), b.readInt32LE(4)];
}

function errnoError(call: string, errno: number): Error & { code: string; errno: number } {
  const name = Object.entries(osConstants.errno).find(([, v]) => v === errno)?.[0] ?? `errno ${errno}`;
  return Object.assign(new Error(`${call}: ${name}`), { code: name, errno });
}

/** Start `file` (a path) with `argv`; throws (ENOENT, EACCES...) when it cannot be executed. */
export function fastSpawn(file: string, argv: string[], o: FastSpawnOptions): FastChild {
  const l = load();
  const pipes = new Map<number, number>();
  const childEnds: number[] = [];
  const lowDups: number[] = [];
  const fa = Buffer.alloc(OPAQUE);
  const attr = Buffer.alloc(OPAQUE);
  let faReady = false;
  let attrReady = false;
  try {
    // the child's descriptors 0..n-1 are assigned in order by dup2: a source below n could be
    // overwritten by an earlier assignment before it is read, so such sources are moved up first
    const n = o.fds.length;
    const sources: (number | 'null')[] = o.fds.map((f, i) => {
      if (f === 'null') return 'null';
      if (f === 'pipe-read' || f === 'pipe-write') {
        const [r, w] = newPipe(l);
        const [mine, theirs] = f === 'pipe-read' ? [w, r] : [r, w];
        pipes.set(i, mine);
        childEnds.push(theirs);
        return theirs;
      }
      return f;
    });
    for (let i = 0; i < n; i++) {
      const s = sources[i]!;
      if (s !== 'null' && s < n && s !== i) {
        const d = l.fcntl(s, F_DUPFD_CLOEXEC, n);
        if (d < 0) throw errnoError('fcntl', l.errno());
        lowDups.push(d);
        sources[i] = d;
      }
    }
    if (l.faInit(fa) !== 0) throw new Error('posix_spawn_file_actions_init failed');
    faReady = true;
    for (let i = 0; i < n; i++) {
      const s = sources[i]!;
      const r = s === 'null' ? l.faAddOpen(fa, i, '/dev/null', O_RDWR, 0) : l.faAddDup2(fa, s, i);
      if (r !== 0) throw errnoError('posix_spawn_file_actions', r);
    }
    if (o.cwd !== undefined) {
      const r = l.faAddChdir(fa, o.cwd);
      if (r !== 0) throw errnoError('posix_spawn_file_actions_addchdir_np', r);
    }
    if (l.attrInit(attr) !== 0) throw new Error('posix_spawnattr_init failed');
    attrReady = true;
    // signals 1-64 by their bits, not sigfillset: that leaves out glibc's own two (32, 33), which
    // posix_spawn would then set to SIG_IGN in the child, an ignored signal inherited by the container
    const all = Buffer.alloc(OPAQUE);
    all.fill(0xff, 0, 8);
    const none = Buffer.alloc(OPAQUE);
    l.sigEmptySet(none);
    l.attrSetSigDefault(attr, all);
    l.attrSetSigMask(attr, none);
    l.attrSetFlags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (o.setsid ? POSIX_SPAWN_SETSID : 0));
    const env: (string | null)[] = [];
    for (const [k, v] of Object.entries(o.env)) if (v !== undefined) env.push(`${k}=${v}`);
    env.push(null);
    const pidBuf = Buffer.alloc(4);
    const r = l.posixSpawn(pidBuf, file, fa, attr, [...argv, null], env);
    if (r !== 0) throw Object.assign(errnoError(`spawn ${file}`, r), { path: file });
    return { pid: pidBuf.readInt32LE(0), pipes };
  } catch (err) {
    for (const fd of pipes.values()) l.close(fd);
    throw err;
  } finally {
    if (faReady) l.faDestroy(fa);
    if (attrReady) l.attrDestroy(attr);
    for (const fd of [...childEnds, ...lowDups]) l.close(fd);
  }
}

/**
 * The child's exit: its code, or 128 + the signal that ended it. Polls waitpid(WNOHANG), every
 * `intervalMs` (the children waited for here exit within a millisecond or two).
 */
export function waitExit(pid: number, intervalMs = 1): Promise<number> {
  const l = load();
  const status = Buffer.alloc(4);
  return new Promise((resolve, reject) => {
    const poll = () => {
      const r = l.waitpid(pid, status, WNOHANG);
      if (r === pid) {
        const s = status.readInt32LE(0);
        const sig = s & 0x7f;
        resolve(sig === 0 ? (s >> 8) & 0xff : 128 + sig);
        return;
      }
      if (r < 0) {
        const e = l.errno();
        if (e === 4 /* EINTR */) { setImmediate(poll); return; }
        reject(errnoError('waitpid', e));
        return;
      }
      setTimeout(poll, intervalMs);
    };
    poll();
  });
}

/** Make the parent's end of a pipe non-blocking (for readSome / readAvailable). */
export function setNonBlocking(fd: number): void {
  const l = load();
  const flags = l.fcntl(fd, F_GETFL, 0);
  if (flags >= 0 && !(flags & O_NONBLOCK)) l.fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/** One read of a non-blocking fd: bytes read, null at end of file, undefined when nothing is there yet. */
export function readSome(fd: number, buf: Buffer): number | null | undefined {
  try {
    const n = readSync(fd, buf, 0, buf.length, null);
    return n === 0 ? null : n;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EINTR') return undefined;
    return null;
  }
}

/** Write to the parent's end of a pipe; false when the reader is gone (EPIPE). */
export function pipeWrite(fd: number, data: Uint8Array): boolean {
  try {
    writeSync(fd, data);
    return true;
  } catch {
    return false;
  }
}

export function closeFdQuiet(fd: number): void {
  try { closeSync(fd); } catch { /* closed */ }
}

/** What a read of the parent's end of a pipe finds now ('' when nothing, or closed). */
export function readAvailable(fd: number): string {
  setNonBlocking(fd);
  const buf = Buffer.alloc(65536);
  let out = '';
  for (;;) {
    const n = readSome(fd, buf);
    if (!n) break;
    out += buf.toString('utf8', 0, n);
  }
  return out;
}
