// `tsman cp` (podman 4.3's cmd/podman/containers/cp.go over buildah's copier) and `tsman mount` /
// `umount` for containers.
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
// The container's "/" is, while it runs, /proc/<pid>/root: its own mount namespace, so volumes,
// bind mounts and tmpfs are seen exactly as the container sees them (podman joins the mount
// namespace for the same reason). A stopped container's rootfs is mounted for the copy (and
// unmounted after, unless it was mounted already); its bind and volume mounts are then grafted in
// by the View when a walk reaches their destination (podman's resolvePath does it lexically).
//
// Copying out goes through a tar stream: the container's tree is written with TarWriter (symlinks
// as symlinks; only the source path itself is followed) and unpacked on the host by extractLayer
// in vfs mode, which keeps every entry inside the destination directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as os from 'node:os';
import type { Engine } from './index.js';
import type { ContainerRecord } from './containers/types.js';
import { mustFindContainer, findContainer } from './containers/lookup.js';
import { ctrLock, currentState, mountRootfs, unmountRootfs } from './containers/lifecycle.js';
import { ContainerPaths } from './containers/paths.js';
import { alive } from './containers/state.js';
import { isMountPoint } from './imagemount.js';
import { TsmanError, errnoCode, wrapError } from '../errors.js';
import { TarWriter, type TarWriteEntry } from '../storage/tarwriter.js';
import { TarReader, type TarHeader } from '../storage/tar.js';
import { cleanName, extractLayer } from '../storage/extract.js';
import { decompressStream } from '../storage/decompress.js';
import { parsePasswd, parseGroup } from '../runtime/users.js';
import { mknod, makedev, S_IFCHR, S_IFBLK, S_IFIFO } from '../util/libc.js';
import { byteCompare } from '../util/human.js';

const C = fs.constants;
const O_PATH = 0o10000000;
const DIR_FLAGS = O_PATH | C.O_DIRECTORY | C.O_NOFOLLOW;
const MAX_LINKS = 40;
const READ_CHUNK = 1024 * 1024;

/** `/proc/self/fd/N` (the directory N itself) or `/proc/self/fd/N/name` (one entry in it). */
function fdp(fd: number, name?: string): string {
  return name ? `/proc/self/fd/${fd}/${name}` : `/proc/self/fd/${fd}`;
}

function closeFd(fd: number): void {
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
class Node {
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
class View {
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

function hostView(): View {
  return new View(fs.openSync('/', O_PATH | C.O_DIRECTORY), [], false);
}

/** The bind and volume mounts a stopped container would have, as host sources. */
async function stoppedMounts(engine: Engine, c: ContainerRecord): Promise<ViewMount[]> {
  const out: ViewMount[] = [];
  const clean = (d: string) => path.posix.normalize(`/${d}`).replace(/(.)\/+$/, '$1');
  const p = new ContainerPaths(engine.store, c.id);
  // what the runtime bind-mounts from userdata once the container has been started
  for (const [f, dest] of [['hosts', '/etc/hosts'], ['hostname', '/etc/hostname'], ['resolv.conf', '/etc/resolv.conf'], ['.containerenv', '/run/.containerenv']] as const) {
    const src = path.join(p.userdata, f);
    if (fs.existsSync(src)) out.push({ dest, source: src, ro: false });
  }
  let vols: typeof import('./volumes.js') | undefined;
  for (const m of c.config.mounts ?? []) {
    // O: an overlay over the source, whose writes are discarded; not the source itself
    if (m.options.includes('O')) continue;
    const ro = m.options.includes('ro');
    if (m.type === 'bind') {
      out.push({ dest: clean(m.destination), source: m.source, ro });
    } else if (m.type === 'volume') {
      vols ??= await import('./volumes.js');
      const rec = vols.lookupVolume(engine, m.source);
      if (!rec) continue;
      const special = vols.volumeMountOptions(rec);
      if (special) {
        // a volume mounted afresh at each start (tmpfs, a device): only a bind one has a source
        if (special.type === 'bind' && special.source) out.push({ dest: clean(m.destination), source: special.source, ro });
        continue;
      }
      out.push({ dest: clean(m.destination), source: rec.mountpoint, ro });
    }
  }
  // a later mount on the same destination hides an earlier one
  const byDest = new Map<string, ViewMount>();
  for (const m of out) byDest.set(m.dest, m);
  return [...byDest.values()];
}

/**
 * Run fn with a View of the container, under its lock: the running container's own root, or the
 * stopped container's rootfs (mounted for the occasion when it is not mounted already).
 */
async function withContainerView<T>(engine: Engine, c: ContainerRecord, fn: (v: View) => Promise<T>): Promise<T> {
  return ctrLock(engine, c.id).with(async () => {
    const st = await currentState(engine, c.id);
    if ((st.status === 'running' || st.status === 'paused') && st.pid) {
      let rootFd: number | undefined;
      try {
        rootFd = fs.openSync(`/proc/${st.pid}/root`, O_PATH | C.O_DIRECTORY);
      } catch (err) {
        if (alive(st.pid, st.pidStartTime)) throw wrapError(err, `open the root of container ${c.name}`);
      }
      // the descriptor is that of our container's process only if the pid was not reused meanwhile
      if (rootFd !== undefined && alive(st.pid, st.pidStartTime)) {
        const v = new View(rootFd, [], true);
        try { return await fn(v); } finally { v.close(); }
      }
      if (rootFd !== undefined) closeFd(rootFd);
    }
    const p = new ContainerPaths(engine.store, c.id);
    const wasMounted = isMountPoint(p.merged);
    const merged = await mountRootfs(engine, c);
    let v: View | undefined;
    try {
      v = new View(fs.openSync(merged, O_PATH | C.O_DIRECTORY), await stoppedMounts(engine, c), true);
      return await fn(v);
    } finally {
      v?.close();
      if (!wasMounted) await unmountRootfs(engine, c).catch(() => undefined);
    }
  });
}

/** Both containers' views, locks taken in id order (one view when both are the same container). */
async function withTwoViews<T>(engine: Engine, a: ContainerRecord, b: ContainerRecord, fn: (va: View, vb: View) => Promise<T>): Promise<T> {
  if (a.id === b.id) return withContainerView(engine, a, (v) => fn(v, v));
  const [first, second] = a.id < b.id ? [a, b] : [b, a];
  return withContainerView(engine, first, (v1) => withContainerView(engine, second, (v2) => (first === a ? fn(v1, v2) : fn(v2, v1))));
}

// ---- the container's user (podman's getContainerUser: the ids --user names, 0:0 without) --------

export interface Ids { uid: number; gid: number }

function containerUser(v: View, spec: string): Ids {
  if (!spec) return { uid: 0, gid: 0 };
  const colon = spec.indexOf(':');
  const u = colon < 0 ? spec : spec.slice(0, colon);
  const g = colon < 0 ? '' : spec.slice(colon + 1);
  const ids: Ids = { uid: 0, gid: 0 };
  if (u !== '') {
    const n = /^\d+$/.test(u) ? Number(u) : undefined;
    const e = parsePasswd(v.readSmall('/etc/passwd') ?? '').find((x) => x.name === u || (n !== undefined && x.uid === n));
    if (e) { ids.uid = e.uid; ids.gid = e.gid; } else if (n !== undefined) ids.uid = n;
    else throw new TsmanError('EUSAGE', `unable to find user ${u}: no matching entries in passwd file`);
  }
  if (g !== '') {
    const n = /^\d+$/.test(g) ? Number(g) : undefined;
    const e = parseGroup(v.readSmall('/etc/group') ?? '').find((x) => x.name === g || (n !== undefined && x.gid === n));
    if (e) ids.gid = e.gid; else if (n !== undefined) ids.gid = n;
    else throw new TsmanError('EUSAGE', `unable to find group ${g}: no matching entries in group file`);
  }
  return ids;
}

// ---- tree -> tar ---------------------------------------------------------------------------------

interface TreeOpts {
  /** owner of every entry (podman chowns on the way out); else the files' own */
  ids?: Ids;
  /** leave out character and block devices (copies to the host, as podman's IgnoreDevices) */
  skipDevices?: boolean;
  /** leave out `.wh.*` names: extractLayer would take them for whiteouts */
  skipWhiteouts?: boolean;
  warn: (msg: string) => void;
}

function major(rdev: number): number { return Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn); }
function minor(rdev: number): number { return Number(BigInt(rdev) & 0xffn) | Number((BigInt(rdev) >> 12n) & ~0xffn); }

/** The consumer of a tar stream gave up: the producer stops at its next step. */
class Aborted extends Error {}

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
async function writeTar(v: View, node: Node, top: string | null, out: Writable, o: TreeOpts): Promise<void> {
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

interface PutOpts {
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

async function putTar(v: View, dest: string, input: Readable, o: PutOpts, fromStdin = false): Promise<void> {
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

function notArchive(): TsmanError {
  return new TsmanError('EFORMAT', 'source must be a (compressed) tar archive when copying from stdin');
}

async function nextHeader(r: TarReader, first: boolean): Promise<TarHeader | null> {
  try {
    return await r.next();
  } catch (err) {
    if (first && err instanceof TsmanError && err.code === 'EFORMAT') throw notArchive();
    throw err;
  }
}

// ---- paths as podman sees them ----------------------------------------------------------------

/** podman's copy.PreserveBasePath: cleaning must not lose a trailing "/" or "/.". */
function preserveBase(original: string, resolved: string): string {
  if (original.endsWith('/')) return resolved.endsWith('/') ? resolved : `${resolved}/`;
  if (original.endsWith('/.')) {
    if (resolved.endsWith('/')) return `${resolved}.`;
    return resolved.endsWith('/.') ? resolved : `${resolved}/.`;
  }
  return resolved;
}

interface Info {
  isDir: boolean;
  /** the resolved path with the user's trailing "/" or "/." (podman's LinkTarget) */
  target: string;
  node: Node;
}

/** A container path as the user gave it: relative to the working directory, "/" = its contents. */
function ctrAbs(c: ContainerRecord, p: string): string {
  if (p === '/') p = '/.';
  if (p.startsWith('/')) return p;
  return preserveBase(p, path.posix.join('/', c.config.workdir || '/', p));
}

/** Stat a container path (following symlinks), or undefined when it is not there. */
function statIn(v: View, abs: string): Info | undefined {
  let n: Node;
  try {
    n = v.resolve(abs, { follow: true });
  } catch (err) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP'].includes(errnoCode(err) ?? '')) return undefined;
    throw err;
  }
  if (!n.st) { n.close(); return undefined; }
  return { isDir: n.st.isDirectory(), target: preserveBase(abs, n.cpath), node: n };
}

interface HostInfo { isDir: boolean; isFile: boolean; target: string }

/** podman's ResolveHostPath: absolute, stat() following symlinks, the path itself kept. */
function statHost(p: string): HostInfo | undefined {
  const abs = preserveBase(p, path.resolve(p));
  try {
    const st = fs.statSync(abs);
    return { isDir: st.isDirectory(), isFile: st.isFile(), target: abs };
  } catch (err) {
    if (['ENOENT', 'ENOTDIR'].includes(errnoCode(err) ?? '')) return undefined;
    throw wrapError(err, `stat "${abs}"`);
  }
}

function notOnHost(p: string, why = 'no such file or directory'): TsmanError {
  return new TsmanError('ENOTFOUND', `"${p}" could not be found on the host: ${why}`);
}

function notInContainer(p: string, ctr: string, why = 'no such file or directory'): TsmanError {
  return new TsmanError('ENOTFOUND', `"${p}" could not be found on container ${ctr}: ${why}`);
}

/** podman's parseUserInput: `[CONTAINER:]PATH`; a path starting with "." or "/" is never a container. */
export function parseCpArg(arg: string): { ctr: string; path: string } {
  if (arg === '' || arg[0] === '.' || arg[0] === '/') return { ctr: '', path: arg };
  const i = arg.indexOf(':');
  return i < 0 ? { ctr: '', path: arg } : { ctr: arg.slice(0, i), path: arg.slice(i + 1) };
}

function ctrMustExist(engine: Engine, name: string): ContainerRecord {
  const c = findContainer(engine.store.read(), name);
  if (!c) throw new TsmanError('ENOTFOUND', `container "${name}" does not exist`);
  return c;
}

interface DestInfo { isDir: boolean; dir: string; base: string; toParent: boolean }

/** podman's resolvePathOnDestinationContainer: the path, or its parent when it does not exist yet. */
function destIn(v: View, c: ContainerRecord, name: string, p: string, isStdin: boolean): DestInfo {
  const abs = ctrAbs(c, p);
  const info = statIn(v, abs);
  if (info) {
    info.node.close();
    const cpath = info.node.cpath;
    return { isDir: info.isDir, dir: info.isDir ? cpath : path.posix.dirname(cpath), base: path.posix.basename(cpath), toParent: false };
  }
  if (p.endsWith('/')) throw notInContainer(p, name);
  if (isStdin) throw new TsmanError('EUSAGE', 'destination must be a directory when copying from stdin');
  // the parent must exist; a dangling symlink names the path to create (podman: "into nirvana")
  let n: Node;
  try {
    n = v.resolve(abs, { follow: true });
  } catch (err) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP'].includes(errnoCode(err) ?? '')) throw notInContainer(p, name);
    throw err;
  }
  n.close();
  return { isDir: true, dir: path.posix.dirname(n.cpath), base: path.posix.basename(n.cpath), toParent: true };
}

// ---- the copies ----------------------------------------------------------------------------------

export interface CpOptions {
  /** chown what is copied into a container to its user (podman's default --archive=true) */
  archive: boolean;
  /** replace directories by non-directories and the reverse */
  overwrite: boolean;
  stdin: Readable;
  stdout: Writable;
  warn: (msg: string) => void;
}

export async function copy(engine: Engine, srcArg: string, destArg: string, o: CpOptions): Promise<void> {
  const src = parseCpArg(srcArg);
  const dst = parseCpArg(destArg);
  if (src.path === '' || dst.path === '') {
    throw new TsmanError('EUSAGE', `invalid arguments "${srcArg}", "${destArg}": you must specify paths`);
  }
  if (src.ctr && dst.ctr) return containerToContainer(engine, src.ctr, src.path, dst.ctr, dst.path, o);
  if (src.ctr) return fromContainer(engine, src.ctr, src.path, dst.path, o);
  if (!dst.ctr) throw new TsmanError('EUSAGE', 'name or ID cannot be empty', { hint: 'one of the two paths must be CONTAINER:PATH' });
  return toContainer(engine, dst.ctr, dst.path, src.path, o);
}

/** Context for a failure of one side of a copy (an abort is the other side's failure: left as is). */
function context(err: unknown, what: string): unknown {
  if (err instanceof Aborted) return err;
  return wrapError(err, what);
}

/** Run the producer and the consumer of a stream together; the first failure wins. */
async function both(a: Promise<void>, b: Promise<void>): Promise<void> {
  const r = await Promise.allSettled([a, b]);
  const failed = r.filter((x): x is PromiseRejectedResult => x.status === 'rejected').map((x) => x.reason as unknown);
  // the producer's "aborted" only echoes the consumer's failure
  const real = failed.find((e) => !(e instanceof Aborted));
  if (real !== undefined) throw real;
  if (failed.length) throw failed[0];
}

async function fromContainer(engine: Engine, name: string, cPath: string, hostPath: string, o: CpOptions): Promise<void> {
  const c = ctrMustExist(engine, name);
  const isStdout = hostPath === '-';
  await withContainerView(engine, c, async (v) => {
    const info = statIn(v, ctrAbs(c, cPath));
    if (!info) throw notInContainer(cPath, name);
    try {
      if (isStdout) {
        const user = containerUser(v, c.config.user);
        const top = info.isDir && path.posix.basename(info.target) === '.' ? null : path.posix.basename(info.node.cpath);
        const pass = new PassThrough();
        const onError = (err: Error) => pass.destroy(new TsmanError('EGENERIC', `copying to stdout: ${errnoCode(err) === 'EPIPE' ? 'broken pipe' : err.message}`));
        o.stdout.on('error', onError);
        try {
          pass.pipe(o.stdout, { end: false });
          const done = new Promise<void>((res, rej) => { pass.on('end', res); pass.on('error', rej); });
          await both(writeTar(v, info.node, top, pass, { ids: user, warn: o.warn }), done);
        } finally {
          o.stdout.off('error', onError);
        }
        return;
      }
      let host = statHost(hostPath);
      let base: string;
      let toParent = false;
      if (!host) {
        if (hostPath.endsWith('/')) throw notOnHost(hostPath);
        host = statHost(path.dirname(path.resolve(hostPath)));
        if (!host) throw notOnHost(hostPath);
        if (!host.isDir) throw notOnHost(hostPath, 'not a directory');
        base = path.basename(hostPath);
        toParent = true;
      } else {
        base = path.basename(host.target);
      }
      if (!host.isDir && !host.isFile) throw new TsmanError('EUSAGE', `invalid destination: "${host.target}" must be a directory or a regular file`);
      let target = info.target;
      if (toParent && info.isDir && target.endsWith('.')) target = path.posix.dirname(target);
      if (info.isDir && !host.isDir) throw new TsmanError('EUSAGE', 'destination must be a directory when copying a directory');
      const rename = (!info.isDir && !host.isDir) || toParent;
      const contentsOnly = info.isDir && path.posix.basename(target) === '.';
      const top = contentsOnly ? null : rename ? base : path.posix.basename(info.node.cpath);
      const dir = host.isDir ? host.target : path.dirname(host.target);
      const pass = new PassThrough();
      const me = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
      const extracting = extractLayer(pass, dir, { whiteoutMode: 'vfs', rootless: engine.rootless, warn: o.warn })
        .then(() => undefined, (err) => { pass.destroy(err); throw wrapError(err, 'copying to host'); });
      await both(writeTar(v, info.node, top, pass, { ids: me, skipDevices: true, skipWhiteouts: true, warn: o.warn })
        .catch((err) => { throw context(err, 'copying from container'); }), extracting);
    } finally {
      info.node.close();
    }
  });
}

async function toContainer(engine: Engine, name: string, cPath: string, hostPath: string, o: CpOptions): Promise<void> {
  const c = ctrMustExist(engine, name);
  const isStdin = hostPath === '-';
  const host = isStdin ? undefined : statHost(hostPath);
  if (!isStdin && !host) throw notOnHost(hostPath);
  // stdin is read to its end before the container is locked (podman spools it to a file too):
  // `tsman cp c:/a - | tsman cp - c:/b` must not wait for the lock its own writer holds
  const spool = isStdin ? await spoolStdin(o.stdin) : undefined;
  try {
    await withContainerView(engine, c, async (v) => {
      const d = destIn(v, c, name, cPath, isStdin);
      const ids = o.archive ? containerUser(v, c.config.user) : undefined;
      const put: PutOpts = { ids, overwrite: o.overwrite, rootless: engine.rootless, warn: o.warn };
      if (spool) {
        if (!d.isDir) throw new TsmanError('EUSAGE', 'destination must be a directory when copying from stdin');
        const input = await decompressStream(fs.createReadStream(spool.file));
        try {
          await putTar(v, d.dir, input, put, true);
        } catch (err) {
          throw err instanceof TsmanError && err.message.startsWith('source must be') ? err : context(err, 'copying to container');
        }
        return;
      }
      await hostToContainer(v, d, host!, put, o);
    });
  } finally {
    if (spool) fs.rmSync(spool.dir, { recursive: true, force: true });
  }
}

/** stdin into a private temporary file. */
async function spoolStdin(stdin: Readable): Promise<{ dir: string; file: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsman-cp-'));
  const file = path.join(dir, 'stdin');
  try {
    await pipeline(stdin, fs.createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw wrapError(err, 'read stdin');
  }
  return { dir, file };
}

async function hostToContainer(v: View, d: DestInfo, host: HostInfo, put: PutOpts, o: CpOptions): Promise<void> {
  let target = host.target;
  if (d.toParent && host.isDir && target.endsWith('.')) target = path.dirname(target);
  if (host.isDir && !d.isDir) throw new TsmanError('EUSAGE', 'destination must be a directory when copying a directory');
  const rename = (!host.isDir && !d.isDir) || d.toParent;
  const contentsOnly = host.isDir && path.basename(target) === '.';
  const top = contentsOnly ? null : rename ? d.base : path.basename(target);
  const hv = hostView();
  try {
    const node = hv.resolve(target, { follow: true });
    try {
      if (!node.st) throw notOnHost(host.target);
      const pass = new PassThrough();
      await both(
        writeTar(hv, node, top, pass, { warn: o.warn }).catch((err) => { throw context(err, 'copying from host'); }),
        putTar(v, d.dir, pass, put).catch((err) => { pass.destroy(err); throw context(err, 'copying to container'); }),
      );
    } finally {
      node.close();
    }
  } finally {
    hv.close();
  }
}

async function containerToContainer(engine: Engine, srcName: string, srcPath: string, dstName: string, dstPath: string, o: CpOptions): Promise<void> {
  const sc = ctrMustExist(engine, srcName);
  const dc = ctrMustExist(engine, dstName);
  await withTwoViews(engine, sc, dc, async (sv, dv) => {
    const info = statIn(sv, ctrAbs(sc, srcPath));
    if (!info) throw notInContainer(srcPath, srcName);
    try {
      const d = destIn(dv, dc, dstName, dstPath, false);
      if (info.isDir && !d.isDir) throw new TsmanError('EUSAGE', 'destination must be a directory when copying a directory');
      let target = info.target;
      if (d.toParent && info.isDir && target.endsWith('.')) target = path.posix.dirname(target);
      const rename = (!info.isDir && !d.isDir) || d.toParent;
      const contentsOnly = info.isDir && path.posix.basename(target) === '.';
      const top = contentsOnly ? null : rename ? d.base : path.posix.basename(info.node.cpath);
      const srcUser = containerUser(sv, sc.config.user);
      const put: PutOpts = { ids: o.archive ? containerUser(dv, dc.config.user) : undefined, overwrite: o.overwrite, rootless: engine.rootless, warn: o.warn };
      const pass = new PassThrough();
      await both(
        writeTar(sv, info.node, top, pass, { ids: srcUser, warn: o.warn }).catch((err) => { throw context(err, 'copying from container'); }),
        putTar(dv, d.dir, pass, put).catch((err) => { pass.destroy(err); throw context(err, 'copying to container'); }),
      );
    } finally {
      info.node.close();
    }
  });
}

// ---- mount / umount ------------------------------------------------------------------------------

export interface MountedContainer { id: string; names: string[]; path: string }

/** Containers whose root filesystem is mounted (running ones included), podman's `mount` list. */
export function listContainerMounts(engine: Engine): MountedContainer[] {
  const out: MountedContainer[] = [];
  for (const c of engine.store.read().containers ?? []) {
    const p = new ContainerPaths(engine.store, c.id).merged;
    if (isMountPoint(p)) out.push({ id: c.id, names: [c.name], path: p });
  }
  return out;
}

export function latestContainer(engine: Engine): ContainerRecord {
  const all = [...(engine.store.read().containers ?? [])].sort((a, b) => byteCompare(b.created, a.created));
  if (!all[0]) throw new TsmanError('ENOTFOUND', 'no containers to act on: no such container');
  return all[0];
}

/** Look every name up before acting on any (podman fails without mounting anything). */
export function findAll(engine: Engine, names: string[]): ContainerRecord[] {
  const state = engine.store.read();
  return names.map((n) => mustFindContainer(state, n));
}

export async function mountContainer(engine: Engine, c: ContainerRecord): Promise<string> {
  return ctrLock(engine, c.id).with(() => mountRootfs(engine, c));
}

/** Unmount a stopped container's rootfs; a running container keeps its root (true if it did). */
export async function unmountContainer(engine: Engine, c: ContainerRecord): Promise<boolean> {
  return ctrLock(engine, c.id).with(async () => {
    const st = await currentState(engine, c.id);
    if (st.status === 'running' || st.status === 'paused') return false;
    await unmountRootfs(engine, c);
    return true;
  });
}
