// The copier (buildah's copier, in miniature): paths inside a hostile tree resolved one component
// at a time (View), a tree written as a tar from there (writeTar), a tar put into it (putTar).
// `tsman cp` (src/engine/cp.ts) builds on it.
//
// Safety. A container's paths are hostile: a symlink `/etc -> /host-etc`-style or `/up ->
// ../../..` at any component must never make cp read or write outside the container. So paths in
// a container are never handed to the kernel whole. A View resolves them one component at a time,
// as chroot(2) would: absolute symlink targets restart at the container's root, `..` stops there,
// and every step holds an O_PATH descriptor of the directory reached. Each system call then names
// one component relative to such a descriptor (`/proc/self/fd/N/name`: the kernel jumps through
// the magic link to that very directory and resolves only `name`, without following it where it
// matters: O_NOFOLLOW, lstat, lchown, unlink, mkdir, symlink). A container process that swaps a
// directory for a symlink while we work can only make an open fail (ELOOP/ENOTDIR), never move us
// out. Metadata that has no l* call (chmod, utimes of directories and nodes) goes through an
// O_PATH|O_NOFOLLOW descriptor of the object itself.
//
// A view's bind and volume mounts (a stopped container's) are grafted in when a walk reaches
// their destination (podman's resolvePath does it lexically).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import * as os from 'node:os';
import { TsmanError, errnoCode, wrapError } from '../errors.js';
import { TarWriter, type TarWriteEntry } from './tarwriter.js';
import { TarReader, type TarHeader } from './tar.js';
import { cleanName } from './extract.js';
import { mknod, makedev, S_IFCHR, S_IFBLK, S_IFIFO } from '../util/libc.js';

export const C = fs.constants;
export const O_PATH = 0o10000000;
const DIR_FLAGS = O_PATH | C.O_DIRECTORY | C.O_NOFOLLOW;
const MAX_LINKS = 40;
const READ_CHUNK = 1024 * 1024;

/** `/proc/self/fd/N` (the directory N itself) or `/proc/self/fd/N/name` (one entry in it). */
function fdp(fd: number, name?: string): string {
  return name ? `/proc/self/fd/${fd}/${name}` : `/proc/self/fd/${fd}`;
}

export function closeFd(fd: number): void {
  try { fs.closeSync(fd); } catch { /* already closed */ }
}

function sysErr(code: string, msg: string): Error {
  return Object.assign(new Error(`${msg}: ${code}`), { code });
}

/** Go's text for the errno codes users meet here. */
function errText(code: string | undefined, err: unknown): string {
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'ENOTDIR': return 'not a directory';
    case 'ELOOP': return 'too many levels of symbolic links';
    case 'EACCES': return 'permission denied';
    case 'EPERM': return 'operation not permitted';
    case 'EROFS': return 'read-only file system';
    case 'EEXIST': return 'file exists';
    case 'EBUSY': return 'device or resource busy';
    case 'ENOSPC': return 'no space left on device';
    case 'EISDIR': return 'is a directory';
    default: return err instanceof Error ? err.message : String(err);
  }
}

/** A system call's failure named by the path the user knows, never a /proc/self/fd one. */
function fsError(err: unknown, op: string, where: string): unknown {
  if (err instanceof TsmanError || err instanceof Aborted) return err;
  const code = errnoCode(err);
  if (code === undefined || !/^E[A-Z]+$/.test(code)) return err;
  return new TsmanError('EGENERIC', `${op} "${where}": ${errText(code, err)}`, { cause: err });
}

// ---- views --------------------------------------------------------------------------------------

export interface ViewMount { dest: string; source: string; ro: boolean }

/** One resolved path: entry `name` of directory `dirFd`, or the directory itself when name is ''. */
export class Node {
  constructor(
    readonly dirFd: number,
    readonly name: string,
    /** the clean path inside the view it resolved to */
    readonly cpath: string,
    /** lstat of the entry; undefined when it does not exist */
    readonly st: fs.Stats | undefined,
    readonly ro: boolean,
    readonly mount?: ViewMount,
  ) {}

  at(): string { return fdp(this.dirFd, this.name || undefined); }

  /** A new O_PATH descriptor of this node, which must be a directory. */
  openDir(): number {
    return this.name ? fs.openSync(fdp(this.dirFd, this.name), DIR_FLAGS) : fs.openSync(fdp(this.dirFd), O_PATH | C.O_DIRECTORY);
  }

  close(): void { closeFd(this.dirFd); }
}

type CreateHook = (dirFd: number, name: string) => void;

/** A root ("/" of a container, or the host's) with chroot-style, descriptor-held resolution. */
export class View {
  constructor(private readonly rootFd: number, readonly mounts: ViewMount[], readonly isContainer: boolean) {}

  close(): void { closeFd(this.rootFd); }

  mountAt(cpath: string): ViewMount | undefined {
    return this.mounts.length ? this.mounts.find((m) => m.dest === cpath) : undefined;
  }

  /** The node a mount's destination stands for: its host source (a trusted, configured path). */
  mountNode(m: ViewMount, cpath: string): Node | undefined {
    let real: string;
    let st: fs.Stats;
    try {
      real = fs.realpathSync(m.source);
      st = fs.lstatSync(real);
    } catch {
      return undefined; // source gone: the path is the rootfs's own, as for an unmounted volume
    }
    if (real === '/') return new Node(fs.openSync('/', O_PATH | C.O_DIRECTORY), '', cpath, st, m.ro, m);
    return new Node(fs.openSync(path.dirname(real), O_PATH | C.O_DIRECTORY), path.basename(real), cpath, st, m.ro, m);
  }

  /**
   * Resolve `p` (absolute in the view). Symlinks are followed inside the view, the last component
   * only when `follow`; a trailing `/` or `/.` makes the last component a directory to enter.
   * A missing last component gives a Node without `st`; a missing or non-directory component
   * before it throws ENOENT/ENOTDIR, unless `create` makes the missing directories.
   */
  resolve(p: string, o: { follow: boolean; create?: CreateHook }): Node {
    const todo = p.split('/').reverse();
    const stack: Array<{ name: string; fd: number; ro: boolean }> = [];
    let links = 0;
    const top = () => (stack.length ? stack[stack.length - 1]!.fd : this.rootFd);
    const topRo = () => (stack.length ? stack[stack.length - 1]!.ro : false);
    const cpathOf = (n?: string) => `/${[...stack.map((s) => s.name), ...(n === undefined ? [] : [n])].join('/')}`;
    try {
      while (todo.length > 0) {
        const c = todo.pop()!;
        if (c === '' || c === '.') continue;
        if (c === '..') {
          const f = stack.pop();
          if (f) closeFd(f.fd);
          continue;
        }
        const last = todo.length === 0;
        const cpath = cpathOf(c);
        const m = this.mountAt(cpath);
        const mn = m && this.mountNode(m, cpath);
        if (mn) {
          if (last) return mn;
          try {
            if (!mn.st!.isDirectory()) throw sysErr('ENOTDIR', `resolve "${p}"`);
            stack.push({ name: c, fd: mn.openDir(), ro: mn.ro });
          } finally {
            mn.close();
          }
          continue;
        }
        const here = top();
        let st = fs.lstatSync(fdp(here, c), { throwIfNoEntry: false });
        if (!st) {
          if (last) return new Node(this.dup(here), c, cpath, undefined, topRo());
          if (!o.create) throw sysErr('ENOENT', `resolve "${p}"`);
          fs.mkdirSync(fdp(here, c), 0o755);
          o.create(here, c);
          st = fs.lstatSync(fdp(here, c));
        }
        if (st.isSymbolicLink() && (!last || o.follow)) {
          if (++links > MAX_LINKS) throw sysErr('ELOOP', `resolve "${p}"`);
          const target = fs.readlinkSync(fdp(here, c));
          if (target.startsWith('/')) while (stack.length) closeFd(stack.pop()!.fd);
          const parts = target.split('/');
          for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]!);
          continue;
        }
        if (last) return new Node(this.dup(here), c, cpath, st, topRo());
        if (!st.isDirectory()) throw sysErr('ENOTDIR', `resolve "${p}"`);
        // a directory swapped for a symlink since the lstat fails here (ELOOP): never followed
        stack.push({ name: c, fd: fs.openSync(fdp(here, c), DIR_FLAGS), ro: topRo() });
      }
      // the path ended inside a directory already held (or at the root)
      const cpath = cpathOf();
      const f = stack.pop();
      if (!f) return new Node(this.dup(this.rootFd), '', '/', fs.fstatSync(this.rootFd), false);
      return new Node(f.fd, '', cpath, fs.fstatSync(f.fd), f.ro);
    } finally {
      for (const f of stack) closeFd(f.fd);
    }
  }

  private dup(fd: number): number {
    return fs.openSync(fdp(fd), O_PATH | C.O_DIRECTORY);
  }

  /** A directory (followed all the way), as a descriptor the caller closes. */
  openDir(p: string, create?: CreateHook): { fd: number; cpath: string; ro: boolean } {
    const n = this.resolve(p, { follow: true, create });
    try {
      if (!n.st) throw sysErr('ENOENT', `resolve "${p}"`);
      if (!n.st.isDirectory()) throw sysErr('ENOTDIR', `resolve "${p}"`);
      return { fd: n.openDir(), cpath: n.cpath, ro: n.ro };
    } finally {
      n.close();
    }
  }

  /** A small regular file's content (O_NOFOLLOW, O_NONBLOCK: no FIFO hangs), or undefined. */
  readSmall(p: string): string | undefined {
    let n: Node;
    try { n = this.resolve(p, { follow: true }); } catch { return undefined; }
    try {
      if (!n.st?.isFile()) return undefined;
      const fd = fs.openSync(n.at(), C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
      try {
        const st = fs.fstatSync(fd);
        if (!st.isFile() || st.size > 16 * 1024 * 1024) return undefined;
        return fs.readFileSync(fd, 'utf8');
      } finally {
        closeFd(fd);
      }
    } catch {
      return undefined;
    } finally {
      n.close();
    }
  }
}

export function hostView(): View {
  return new View(fs.openSync('/', O_PATH | C.O_DIRECTORY), [], false);
}

export interface Ids { uid: number; gid: number }



export interface TreeOpts {
  /** owner of every entry (podman chowns on the way out); else the files' own */
  ids?: Ids;
  /** leave out character and block devices (copies to the host, as podman's IgnoreDevices) */
  skipDevices?: boolean;
  /** leave out `.wh.*` names: extractTree would take them for whiteouts */
  skipWhiteouts?: boolean;
  warn: (msg: string) => void;
}

function major(rdev: number): number { return Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn); }
function minor(rdev: number): number { return Number(BigInt(rdev) & 0xffn) | Number((BigInt(rdev) >> 12n) & ~0xffn); }

/** The consumer of a tar stream gave up: the producer stops at its next step. */
export class Aborted extends Error {}

/**
 * What a TarWriter writes to. TarWriter waits for 'drain' after a full write, and a stream destroyed
 * meanwhile (the consumer failed) never emits it: this sink never fails and never blocks past the
 * end of its target; it records that the target is gone, and the producer checks `failed`.
 */
class Sink extends Writable {
  failed = false;
  constructor(private readonly to: Writable) {
    super();
    to.on('close', () => { this.failed = true; });
    to.on('error', () => { this.failed = true; });
  }

  check(): void {
    if (this.failed || this.to.destroyed) throw new Aborted('copy aborted');
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.failed || this.to.destroyed) { this.failed = true; cb(); return; }
    if (this.to.write(chunk)) { cb(); return; }
    const done = () => { this.to.off('drain', done); this.to.off('close', done); cb(); };
    this.to.on('drain', done);
    this.to.on('close', done);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.to.destroyed) this.to.end();
    cb();
  }
}

async function* fileBody(fd: number, size: number, sink: Sink): AsyncGenerator<Buffer> {
  let left = size;
  while (left > 0) {
    sink.check();
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) { yield Buffer.alloc(left); return; } // shrank while we read: keep the tar consistent
    left -= n;
    yield n === buf.length ? buf : buf.subarray(0, n);
  }
}

class TreeWriter {
  private readonly links = new Map<string, string>();
  private readonly w: TarWriter;
  constructor(private readonly v: View, private readonly sink: Sink, private readonly o: TreeOpts) {
    this.w = new TarWriter(sink);
  }

  private async add(e: TarWriteEntry, body?: AsyncIterable<Uint8Array>): Promise<void> {
    this.sink.check();
    await this.w.add(e, body);
  }

  async finish(): Promise<void> {
    this.sink.check();
    await this.w.finish();
  }

  private head(name: string, type: TarWriteEntry['type'], st: fs.Stats): TarWriteEntry {
    return {
      path: name, type, mode: st.mode & 0o7777,
      uid: this.o.ids?.uid ?? st.uid, gid: this.o.ids?.gid ?? st.gid,
      mtime: Math.floor(st.mtimeMs / 1000),
    };
  }

  private skipName(name: string): boolean {
    if (this.o.skipWhiteouts && path.posix.basename(name).startsWith('.wh.')) {
      this.o.warn(`skipping "${name}": a name starting with ".wh." cannot be copied to the host`);
      return true;
    }
    return false;
  }

  /** Write a resolved node as `name` (null: a directory's contents only). */
  async item(n: Node, name: string | null): Promise<void> {
    const st = n.st!;
    if (st.isDirectory()) {
      const fd = n.openDir();
      try {
        if (name !== null) {
          if (this.skipName(name)) return;
          await this.add(this.head(name, 'dir', fs.fstatSync(fd)));
        }
        await this.children(fd, n.cpath, name);
      } finally {
        closeFd(fd);
      }
      return;
    }
    await this.nonDir(n.dirFd, n.name, name ?? path.posix.basename(n.cpath), n.cpath);
  }

  private async children(dirFd: number, cpath: string, prefix: string | null): Promise<void> {
    let names: string[];
    try {
      names = fs.readdirSync(fdp(dirFd));
    } catch (err) {
      throw fsError(err, 'read', cpath);
    }
    // mount points the rootfs has no directory for yet (the runtime makes them at start)
    for (const m of this.v.mounts) {
      if (path.posix.dirname(m.dest) === cpath && !names.includes(path.posix.basename(m.dest))) names.push(path.posix.basename(m.dest));
    }
    names.sort();
    for (const ent of names) {
      const cp = cpath === '/' ? `/${ent}` : `${cpath}/${ent}`;
      const name = prefix === null ? ent : `${prefix}/${ent}`;
      // podman's Excludes for copies out of a container
      if (this.v.isContainer && (cp === '/dev' || cp === '/proc' || cp === '/sys')) continue;
      const m = this.v.mountAt(cp);
      const mn = m && this.v.mountNode(m, cp);
      if (mn) {
        try { await this.item(mn, name); } finally { mn.close(); }
        continue;
      }
      const st = fs.lstatSync(fdp(dirFd, ent), { throwIfNoEntry: false });
      if (!st) continue; // gone meanwhile
      if (!st.isDirectory()) { await this.nonDir(dirFd, ent, name, cp); continue; }
      if (this.skipName(name)) continue;
      let fd: number;
      try {
        fd = fs.openSync(fdp(dirFd, ent), DIR_FLAGS);
      } catch (err) {
        if (['ELOOP', 'ENOTDIR', 'ENOENT'].includes(errnoCode(err) ?? '')) continue; // swapped meanwhile
        throw err;
      }
      try {
        await this.add(this.head(name, 'dir', fs.fstatSync(fd)));
        await this.children(fd, cp, name);
      } finally {
        closeFd(fd);
      }
    }
  }

  private async nonDir(dirFd: number, ent: string, name: string, cpath: string): Promise<void> {
    try {
      await this.nonDirAt(dirFd, ent, name);
    } catch (err) {
      throw fsError(err, 'read', cpath);
    }
  }

  private async nonDirAt(dirFd: number, ent: string, name: string): Promise<void> {
    if (this.skipName(name)) return;
    const p = fdp(dirFd, ent || undefined);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isSymbolicLink()) {
      await this.add({ ...this.head(name, 'symlink', st), linkname: fs.readlinkSync(p) });
    } else if (st.isFile()) {
      let fd: number;
      try {
        fd = fs.openSync(p, C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
      } catch (err) {
        if (['ELOOP', 'ENOENT'].includes(errnoCode(err) ?? '')) return; // swapped or gone meanwhile
        throw err;
      }
      try {
        const fst = fs.fstatSync(fd);
        if (!fst.isFile()) return;
        if (fst.nlink > 1) {
          const key = `${fst.dev}:${fst.ino}`;
          const first = this.links.get(key);
          if (first !== undefined) {
            await this.add({ ...this.head(name, 'hardlink', fst), linkname: first });
            return;
          }
          this.links.set(key, name);
        }
        await this.add({ ...this.head(name, 'file', fst), size: fst.size }, fileBody(fd, fst.size, this.sink));
      } finally {
        closeFd(fd);
      }
    } else if (st.isFIFO()) {
      await this.add(this.head(name, 'fifo', st));
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      if (this.o.skipDevices) return;
      await this.add({ ...this.head(name, st.isCharacterDevice() ? 'char' : 'block', st), devmajor: major(st.rdev), devminor: minor(st.rdev) });
    }
    // sockets: nothing to copy
  }
}

/** Write `node` as a tar to `out` (ended when done); on failure `out` is destroyed with the error. */
export async function writeTar(v: View, node: Node, top: string | null, out: Writable, o: TreeOpts): Promise<void> {
  const t = new TreeWriter(v, new Sink(out), o);
  try {
    await t.item(node, top);
    await t.finish();
  } catch (err) {
    if (!out.destroyed) out.destroy(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

// ---- tar -> container ----------------------------------------------------------------------------

export interface PutOpts {
  /** owner of every entry (--archive: the container's user); else the tar's */
  ids?: Ids;
  overwrite: boolean;
  rootless: boolean;
  warn: (msg: string) => void;
}

interface DirMeta { uid: number; gid: number; mode: number; atime: number; mtime: number }

class Putter {
  private parent?: { key: string; fd: number; cpath: string; ro: boolean };
  private readonly dirMeta = new Map<string, DirMeta>();

  constructor(private readonly v: View, private readonly dest: string, private readonly o: PutOpts) {}

  private dropCache(): void {
    if (this.parent) closeFd(this.parent.fd);
    this.parent = undefined;
  }

  private parentDir(rel: string): { fd: number; cpath: string; ro: boolean } {
    const key = rel;
    if (this.parent?.key === key) return this.parent;
    this.dropCache();
    const p = rel === '' ? this.dest : `${this.dest}/${rel}`;
    const ids = this.o.ids;
    const d = this.v.openDir(p, (fd, name) => { if (ids) fs.lchownSync(fdp(fd, name), ids.uid, ids.gid); });
    this.parent = { key, ...d };
    return this.parent;
  }

  /** Remove what is at dirFd/name, a whole tree without ever following a symlink. */
  private removeAt(dirFd: number, name: string, st: fs.Stats): void {
    if (!st.isDirectory()) { fs.unlinkSync(fdp(dirFd, name)); return; }
    const fd = fs.openSync(fdp(dirFd, name), DIR_FLAGS);
    try {
      for (const ent of fs.readdirSync(fdp(fd))) {
        const cst = fs.lstatSync(fdp(fd, ent), { throwIfNoEntry: false });
        if (cst) this.removeAt(fd, ent, cst);
      }
    } finally {
      closeFd(fd);
    }
    fs.rmdirSync(fdp(dirFd, name));
  }

  private conflict(cpath: string, what: string): TsmanError {
    return new TsmanError('EGENERIC', `put "${cpath}": ${what}, not replaced without --overwrite: file exists`);
  }

  /** Make room for a new entry at dirFd/name; false when an existing directory is to be kept. */
  private clear(dirFd: number, name: string, cpath: string, isDir: boolean): boolean {
    const st = fs.lstatSync(fdp(dirFd, name), { throwIfNoEntry: false });
    if (!st) return true;
    if (st.isDirectory()) {
      if (isDir) return false;
      if (!this.o.overwrite) throw this.conflict(cpath, 'a directory is in the way');
    } else if (isDir && !this.o.overwrite) {
      throw this.conflict(cpath, 'a non-directory is in the way');
    }
    this.removeAt(dirFd, name, st);
    return true;
  }

  private owner(h: TarHeader): Ids {
    return this.o.ids ?? { uid: h.uid, gid: h.gid };
  }

  private chownErr(err: unknown, cpath: string, ids: Ids): TsmanError {
    const code = errnoCode(err);
    return new TsmanError('EGENERIC', `lchown "${cpath}" to ${ids.uid}:${ids.gid}: ${code ?? String(err)}`, {
      cause: err, hint: code === 'EINVAL' ? 'the id is not mapped in the user namespace; copy with --archive (the default) to give the files to the container user' : undefined,
    });
  }

  /** chown/chmod/utimes of an entry through a descriptor of the entry itself (never a symlink). */
  private meta(dirFd: number, name: string, cpath: string, m: DirMeta): void {
    let fd: number;
    try {
      fd = fs.openSync(fdp(dirFd, name || undefined), name ? O_PATH | C.O_NOFOLLOW : O_PATH);
    } catch (err) {
      if (['ELOOP', 'ENOENT'].includes(errnoCode(err) ?? '')) return;
      throw err;
    }
    try {
      if (fs.fstatSync(fd).isSymbolicLink()) return;
      try { fs.chownSync(fdp(fd), m.uid, m.gid); } catch (err) { throw this.chownErr(err, cpath, m); }
      fs.chmodSync(fdp(fd), m.mode);
      fs.utimesSync(fdp(fd), m.atime, m.mtime);
    } finally {
      closeFd(fd);
    }
  }

  async entry(h: TarHeader, r: TarReader): Promise<void> {
    try {
      await this.entryAt(h, r);
    } catch (err) {
      throw fsError(err, 'put', this.dest === '/' ? `/${cleanName(h.name) ?? h.name}` : `${this.dest}/${cleanName(h.name) ?? h.name}`);
    }
  }

  private async entryAt(h: TarHeader, r: TarReader): Promise<void> {
    if (h.name.includes('\0')) throw new TsmanError('EUNSAFE', `tar entry "${h.name}" has a NUL byte in its name`);
    const rel = cleanName(h.name);
    if (rel === null) throw new TsmanError('EUNSAFE', `tar entry "${h.name}" escapes the destination`);
    if (rel === '') return; // "./": the destination directory itself keeps its metadata
    const i = rel.lastIndexOf('/');
    const base = rel.slice(i + 1);
    const dir = this.parentDir(i < 0 ? '' : rel.slice(0, i));
    const cpath = dir.cpath === '/' ? `/${base}` : `${dir.cpath}/${base}`;
    if (dir.ro) throw new TsmanError('EGENERIC', `"${cpath}": read-only file system`);
    const ids = this.owner(h);
    const m = this.v.mountAt(cpath);
    const mn = m && this.v.mountNode(m, cpath);
    if (mn) {
      try { await this.intoMount(mn, h, r, ids); } finally { mn.close(); }
      return;
    }
    const at = fdp(dir.fd, base);
    const times = { atime: h.atime ?? h.mtime, mtime: h.mtime };
    switch (h.type) {
      case 'dir':
        if (this.clear(dir.fd, base, cpath, true)) fs.mkdirSync(at, 0o700);
        this.dirMeta.set(cpath, { ...ids, mode: h.mode, ...times });
        return;
      case 'file': {
        this.clear(dir.fd, base, cpath, false);
        const fd = fs.openSync(at, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
        try {
          await this.body(fd, r);
          try { fs.fchownSync(fd, ids.uid, ids.gid); } catch (err) { throw this.chownErr(err, cpath, ids); }
          fs.fchmodSync(fd, h.mode); // after the chown, which clears setuid/setgid
          fs.futimesSync(fd, times.atime, times.mtime);
        } finally {
          closeFd(fd);
        }
        return;
      }
      case 'symlink':
        this.clear(dir.fd, base, cpath, false);
        // the target is data: it is only ever interpreted by a View, inside the container
        fs.symlinkSync(h.linkname, at);
        try { fs.lchownSync(at, ids.uid, ids.gid); } catch (err) { throw this.chownErr(err, cpath, ids); }
        fs.lutimesSync(at, times.atime, times.mtime);
        return;
      case 'hardlink': {
        const t = cleanName(h.linkname);
        if (t === null || t === '') throw new TsmanError('EUNSAFE', `tar entry "${h.name}" links to "${h.linkname}", outside the destination`);
        const target = this.v.resolve(`${this.dest}/${t}`, { follow: false });
        try {
          if (!target.st || target.st.isDirectory()) {
            throw new TsmanError('EGENERIC', `tar entry "${h.name}": hardlink target "${h.linkname}" is missing or a directory`);
          }
          if (target.cpath === cpath) return;
          this.clear(dir.fd, base, cpath, false);
          fs.linkSync(target.at(), at); // link(2) never follows: both names are relative to held directories
        } finally {
          target.close();
        }
        return;
      }
      case 'char': case 'block': case 'fifo': {
        if (h.type !== 'fifo' && this.o.rootless) { this.o.warn(`skipping device node "${h.name}" in rootless mode`); return; }
        this.clear(dir.fd, base, cpath, false);
        const kind = h.type === 'fifo' ? S_IFIFO : h.type === 'char' ? S_IFCHR : S_IFBLK;
        mknod(at, kind | 0o600, h.type === 'fifo' ? 0n : makedev(h.devmajor, h.devminor));
        this.meta(dir.fd, base, cpath, { ...ids, mode: h.mode, ...times });
        return;
      }
      default:
        this.o.warn(`skipping tar entry "${h.name}" of unsupported type '${h.typeflag}'`);
    }
  }

  /** An entry landing on a mount point (stopped container): merge a directory, rewrite a file in place. */
  private async intoMount(mn: Node, h: TarHeader, r: TarReader, ids: Ids): Promise<void> {
    if (mn.ro) throw new TsmanError('EGENERIC', `"${mn.cpath}": read-only file system`);
    const isDir = mn.st!.isDirectory();
    if (h.type === 'dir' && isDir) return; // the mount's root keeps its owner and mode
    if (h.type === 'file' && mn.st!.isFile()) {
      const fd = fs.openSync(mn.at(), C.O_WRONLY | C.O_TRUNC | C.O_NOFOLLOW);
      try {
        await this.body(fd, r);
        try { fs.fchownSync(fd, ids.uid, ids.gid); } catch (err) { throw this.chownErr(err, mn.cpath, ids); }
        fs.fchmodSync(fd, h.mode);
      } finally {
        closeFd(fd);
      }
      return;
    }
    throw new TsmanError('EGENERIC', `put "${mn.cpath}": a mount point is in the way: device or resource busy`);
  }

  private async body(fd: number, r: TarReader): Promise<void> {
    for (let c = await r.readBody(); c; c = await r.readBody()) {
      let off = 0;
      while (off < c.length) off += fs.writeSync(fd, c, off, c.length - off);
    }
  }

  /** Directory metadata last: creating children changes a directory's mtime. */
  finish(): void {
    this.dropCache();
    for (const [cpath, m] of this.dirMeta) {
      let n: Node;
      try {
        n = this.v.resolve(cpath, { follow: false });
      } catch {
        continue;
      }
      try {
        if (n.st?.isDirectory()) this.meta(n.dirFd, n.name, cpath, m);
      } finally {
        n.close();
      }
    }
  }

  close(): void { this.dropCache(); }
}

export async function putTar(v: View, dest: string, input: Readable, o: PutOpts, fromStdin = false): Promise<void> {
  const reader = new TarReader(input);
  const p = new Putter(v, dest, o);
  let entries = 0;
  try {
    for (let h = await nextHeader(reader, fromStdin && entries === 0); h; h = await nextHeader(reader, false)) {
      entries++;
      await p.entry(h, reader);
    }
    if (fromStdin && entries === 0 && reader.bytes === 0) throw notArchive();
    await reader.drain();
    p.finish();
  } catch (err) {
    await reader.close().catch(() => undefined);
    input.destroy();
    throw err;
  } finally {
    p.close();
  }
}

export function notArchive(): TsmanError {
  return new TsmanError('EFORMAT', 'source must be a (compressed) tar archive when copying from stdin');
}

export async function nextHeader(r: TarReader, first: boolean): Promise<TarHeader | null> {
  try {
    return await r.next();
  } catch (err) {
    if (first && err instanceof TsmanError && err.code === 'EFORMAT') throw notArchive();
    throw err;
  }
}

// ---- paths as podman sees them ----------------------------------------------------------------

/** podman's copy.PreserveBasePath: cleaning must not lose a trailing "/" or "/.". */
export function preserveBase(original: string, resolved: string): string {
  if (original.endsWith('/')) return resolved.endsWith('/') ? resolved : `${resolved}/`;
  if (original.endsWith('/.')) {
    if (resolved.endsWith('/')) return `${resolved}.`;
    return resolved.endsWith('/.') ? resolved : `${resolved}/.`;
  }
  return resolved;
}

export interface Info {
  isDir: boolean;
  /** the resolved path with the user's trailing "/" or "/." (podman's LinkTarget) */
  target: string;
  node: Node;
}

