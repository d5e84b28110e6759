// The layer extractor. Layer tars are untrusted and may be extracted as root, so:
//  - names are cleaned lexically; one that climbs above the root with `..` is refused (EUNSAFE),
//    and so is a leading `/..` (stricter than Go's filepath.Clean, which would clamp it). A leading
//    `/` alone is stripped, as docker and podman do: `/etc/passwd` lands at <dest>/etc/passwd.
//  - every parent directory of an entry is resolved inside dest as if dest were `/` (securejoin,
//    openat2 RESOLVE_IN_ROOT): symlinks on the way, from this layer or (vfs) from lower ones, are
//    followed with absolute targets taken relative to dest and `..` clamped at dest.
//  - the final component is never followed: what is there is removed first (a directory over a
//    directory is kept and only gets new metadata).
//  - hardlink targets are resolved the same way and must be an existing non-directory inside dest.
// Resolved directories are cached (`dirs`); every removal drops the removed subtree from the cache,
// so a path in the cache is always a real directory reached through real directories only. Nothing
// else writes into dest while a layer is extracted, so the path-based calls that follow a
// resolution see the tree it saw.
//
// The calls are synchronous on purpose: each is a few microseconds of page-cache work, where a
// round trip through libuv's thread pool would cost several times that per call, and decompression
// (zlib) still runs on the pool in parallel. File data is pulled one chunk at a time from the tar
// reader, so the stream's backpressure is our write speed.
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { TsmanError, errnoCode, wrapError } from '../errors.js';
import { TarReader, type TarHeader } from './tar.js';
import { lsetxattr, mknod, makedev, S_IFCHR, S_IFBLK, S_IFIFO } from '../util/libc.js';

export type WhiteoutMode = 'vfs' | 'overlay' | 'overlay-userxattr' | 'fuse';

export interface ExtractOptions {
  whiteoutMode: WhiteoutMode;
  /** true when running inside a user namespace as a non-root host user */
  rootless: boolean;
  /** carry on when lchown fails with EPERM/EINVAL (unit tests run as non-root without a userns) */
  ignoreChownErrors?: boolean;
  warn?: (msg: string) => void;
  /** the algorithm of the diff id to compute (the config's diff_ids may use sha384 or sha512) */
  digestAlgorithm?: 'sha256' | 'sha384' | 'sha512';
}

export interface ExtractResult {
  /** <algorithm>:<hex> of the uncompressed tar (sha256 unless digestAlgorithm says otherwise) */
  diffId: string;
  /** uncompressed bytes */
  size: number;
}

const WH_PREFIX = '.wh.';
const WH_META_PREFIX = '.wh..wh.';
const WH_OPAQUE = '.wh..wh..opq';
const MAX_LINKS = 40;
const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const CREATE_FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

/**
 * Lexical clean of an entry name: leading `/` and `./` stripped, `.` and empty components dropped,
 * `..` applied. '' is the root itself; null means the name climbs out of the root.
 */
export function cleanName(name: string): string | null {
  const out: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else {
      out.push(p);
    }
  }
  return out.join('/');
}

function unsafe(name: string, what = 'escapes the layer root'): TsmanError {
  return new TsmanError('EUNSAFE', `layer entry "${name}" ${what}`);
}

/** xattrs the overlay drivers keep their own state in; a layer must not forge them */
function isDriverXattr(k: string): boolean {
  return k.startsWith('trusted.overlay.') || k.startsWith('user.overlay.') || k.startsWith('user.fuseoverlayfs.')
    || k.startsWith('user.containers.');
}

interface DirMeta { mode: number; atime: number; mtime: number }

class Extractor {
  private readonly root: string;
  /** real relative paths known to be directories, reached through directories only */
  private readonly dirs = new Set<string>(['']);
  /** real relative paths this layer created, and their ancestors */
  private readonly mine = new Set<string>(['']);
  /** whiteouts this layer wrote (overlay/fuse): an entry created there later needs them undone */
  private readonly whiteouts = new Set<string>();
  /** directory modes and times, applied at the end: creating children changes the mtime, and a
   *  read-only mode would stop a non-root extractor from filling the directory */
  private readonly dirMeta = new Map<string, DirMeta>();
  private readonly warn: (msg: string) => void;

  constructor(dest: string, private readonly opts: ExtractOptions) {
    this.root = fs.realpathSync(dest);
    this.warn = opts.warn ?? (() => undefined);
  }

  private abs(real: string): string {
    return real === '' ? this.root : `${this.root}/${real}`;
  }

  private touch(real: string): void {
    while (!this.mine.has(real)) {
      this.mine.add(real);
      const i = real.lastIndexOf('/');
      real = i < 0 ? '' : real.slice(0, i);
    }
  }

  /**
   * Resolve a directory path inside the root, following every component that is a symlink.
   * Missing directories are created (0755) when `create`, else undefined is returned.
   */
  private resolveDir(rel: string, name: string, create: boolean): string | undefined {
    if (this.dirs.has(rel)) return rel;
    const stack: string[] = [];
    const todo = rel.split('/').reverse();
    let links = 0;
    while (todo.length > 0) {
      const c = todo.pop()!;
      if (c === '' || c === '.') continue;
      if (c === '..') { stack.pop(); continue; }
      const cur = stack.length === 0 ? c : `${stack.join('/')}/${c}`;
      if (!this.dirs.has(cur)) {
        const p = this.abs(cur);
        const st = fs.lstatSync(p, { throwIfNoEntry: false });
        if (!st) {
          if (!create) return undefined;
          fs.mkdirSync(p, 0o755);
          this.touch(cur);
        } else if (st.isSymbolicLink()) {
          if (++links > MAX_LINKS) throw new TsmanError('EUNSAFE', `resolve layer entry "${name}": ELOOP (more than ${MAX_LINKS} symbolic links)`);
          const target = fs.readlinkSync(p);
          if (target.startsWith('/')) stack.length = 0;
          const parts = target.split('/');
          for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]!);
          continue;
        } else if (!st.isDirectory()) {
          throw new TsmanError('ELAYER', `layer entry "${name}": \`${cur}\` is not a directory`);
        }
        this.dirs.add(cur);
      }
      stack.push(c);
    }
    return stack.join('/');
  }

  /** Resolve the parent of a cleaned name and return the entry's real path. */
  private place(rel: string, name: string): string {
    const i = rel.lastIndexOf('/');
    if (i < 0) return rel;
    const parent = this.resolveDir(rel.slice(0, i), name, true)!;
    this.touch(parent);
    const base = rel.slice(i + 1);
    return parent === '' ? base : `${parent}/${base}`;
  }

  private forget(real: string): void {
    this.dirs.delete(real);
    this.dirMeta.delete(real);
    const pre = `${real}/`;
    for (const d of this.dirs) if (d.startsWith(pre)) this.dirs.delete(d);
    for (const d of this.dirMeta.keys()) if (d.startsWith(pre)) this.dirMeta.delete(d);
  }

  /** Remove whatever is at a real path, never following it. */
  private remove(real: string, isDir?: boolean): void {
    const p = this.abs(real);
    if (isDir === undefined) {
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (!st) return;
      isDir = st.isDirectory();
    }
    if (isDir) {
      fs.rmSync(p, { recursive: true, force: true });
      this.forget(real);
    } else {
      fs.unlinkSync(p);
    }
  }

  /** Run a creating call; when the name is taken, remove what is there and retry once. */
  private create<T>(real: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    this.remove(real);
    return fn();
  }

  /** Bookkeeping after an entry landed at `real`. */
  private landed(real: string, isDir: boolean): void {
    this.touch(real);
    if (this.whiteouts.size > 0 && this.whiteouts.delete(real)) {
      // `.wh.x` then `x` in one layer: the whiteout was for the lower x only, the new x must show
      if (this.opts.whiteoutMode === 'fuse') {
        const i = real.lastIndexOf('/');
        const wh = i < 0 ? `${WH_PREFIX}${real}` : `${real.slice(0, i + 1)}${WH_PREFIX}${real.slice(i + 1)}`;
        try { fs.unlinkSync(this.abs(wh)); } catch (err) { if (errnoCode(err) !== 'ENOENT') throw err; }
      }
      // and a new directory must not let the lower one's content through
      if (isDir) this.markOpaque(real);
    }
  }

  private chown(name: string, p: string, h: TarHeader, fd?: number): void {
    try {
      if (fd !== undefined) fs.fchownSync(fd, h.uid, h.gid); else fs.lchownSync(p, h.uid, h.gid);
    } catch (err) {
      const code = errnoCode(err);
      if ((code === 'EPERM' || code === 'EINVAL') && this.opts.ignoreChownErrors) return;
      throw new TsmanError('ELAYER', `lchown "${name}" to ${h.uid}:${h.gid}: ${code ?? String(err)}`, {
        cause: err,
        hint: code === 'EINVAL' ? 'the id is not mapped in the user namespace; check /etc/subuid and /etc/subgid' : undefined,
      });
    }
  }

  private xattrs(name: string, p: string, h: TarHeader): void {
    if (!h.xattrs) return;
    for (const [k, v] of h.xattrs) {
      if (k.startsWith('trusted.') && this.opts.rootless) continue;
      if (isDriverXattr(k)) { this.warn(`ignoring xattr "${k}" on "${name}": reserved for the storage driver`); continue; }
      try {
        lsetxattr(p, k, v);
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'EPERM' || code === 'EOPNOTSUPP' || code === 'EACCES') {
          this.warn(`cannot set xattr "${k}" on "${name}": ${code}`);
          continue;
        }
        throw wrapError(err, `layer entry "${name}": set xattr "${k}"`);
      }
    }
  }

  async entry(h: TarHeader, r: TarReader): Promise<void> {
    const name = h.name;
    if (name.includes('\0')) throw unsafe(name, 'has a NUL byte in its name');
    const rel = cleanName(name);
    if (rel === null) throw unsafe(name);
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    if (base.startsWith(WH_PREFIX)) return this.whiteout(name, rel, base);
    if (rel === '' && h.type !== 'dir') throw unsafe(name, 'would replace the layer root');
    switch (h.type) {
      case 'dir': return this.dir(name, rel, h);
      case 'file': return this.file(name, rel, h, r);
      case 'symlink': return this.symlink(name, rel, h);
      case 'hardlink': return this.hardlink(name, rel, h);
      case 'char': case 'block': case 'fifo': return this.node(name, rel, h);
      default: this.warn(`skipping layer entry "${name}" of unsupported type '${h.typeflag}'`);
    }
  }

  private dir(name: string, rel: string, h: TarHeader): void {
    const real = rel === '' ? '' : this.place(rel, name);
    const p = this.abs(real);
    if (real !== '') {
      try {
        fs.mkdirSync(p, 0o700);
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
        const st = fs.lstatSync(p);
        if (!st.isDirectory()) {
          this.remove(real, false);
          fs.mkdirSync(p, 0o700);
        }
      }
      this.dirs.add(real);
      this.landed(real, true);
    }
    this.chown(name, p, h);
    this.xattrs(name, p, h);
    this.dirMeta.set(real, { mode: h.mode, atime: h.atime ?? h.mtime, mtime: h.mtime });
  }

  private async file(name: string, rel: string, h: TarHeader, r: TarReader): Promise<void> {
    const real = this.place(rel, name);
    const p = this.abs(real);
    const fd = this.create(real, () => fs.openSync(p, CREATE_FLAGS, 0o600));
    try {
      for (let c = await r.readBody(); c; c = await r.readBody()) {
        let off = 0;
        while (off < c.length) off += fs.writeSync(fd, c, off, c.length - off);
      }
      this.chown(name, p, h, fd);
      fs.fchmodSync(fd, h.mode); // after chown, which clears setuid/setgid
      this.xattrs(name, p, h); // after chown too: it drops security.capability
      fs.futimesSync(fd, h.atime ?? h.mtime, h.mtime);
    } finally {
      fs.closeSync(fd);
    }
    this.landed(real, false);
  }

  private symlink(name: string, rel: string, h: TarHeader): void {
    const real = this.place(rel, name);
    const p = this.abs(real);
    // the target is data: it is only ever interpreted by resolveDir, inside the root
    this.create(real, () => fs.symlinkSync(h.linkname, p));
    this.chown(name, p, h);
    this.xattrs(name, p, h);
    fs.lutimesSync(p, h.atime ?? h.mtime, h.mtime);
    this.landed(real, false);
  }

  private hardlink(name: string, rel: string, h: TarHeader): void {
    if (h.linkname.includes('\0')) throw unsafe(name, 'has a NUL byte in its link target');
    const t = cleanName(h.linkname);
    if (t === null) throw unsafe(name, `links to "${h.linkname}", which escapes the layer root`);
    if (t === '') throw unsafe(name, 'links to the layer root');
    const i = t.lastIndexOf('/');
    const tparent = i < 0 ? '' : this.resolveDir(t.slice(0, i), name, false);
    const missing = () => new TsmanError('ELAYER', `layer entry "${name}": hardlink target "${h.linkname}" does not exist`);
    if (tparent === undefined) throw missing();
    const treal = tparent === '' ? t.slice(i + 1) : `${tparent}/${t.slice(i + 1)}`;
    const tp = this.abs(treal);
    const st = fs.lstatSync(tp, { throwIfNoEntry: false });
    if (!st) throw missing();
    if (st.isDirectory()) throw unsafe(name, `links to "${h.linkname}", which is a directory`);
    const real = this.place(rel, name);
    if (real === treal) return;
    const p = this.abs(real);
    // link(2) does not follow a symlink target: a link to a symlink is a second name for the symlink
    this.create(real, () => fs.linkSync(tp, p));
    this.landed(real, false);
  }

  private node(name: string, rel: string, h: TarHeader): void {
    if (h.type !== 'fifo' && this.opts.rootless) {
      this.warn(`skipping device node "${name}" in rootless mode`);
      return;
    }
    const real = this.place(rel, name);
    const p = this.abs(real);
    const kind = h.type === 'fifo' ? S_IFIFO : h.type === 'char' ? S_IFCHR : S_IFBLK;
    const dev = h.type === 'fifo' ? 0n : makedev(h.devmajor, h.devminor);
    this.create(real, () => mknod(p, kind | 0o600, dev));
    this.chown(name, p, h);
    fs.chmodSync(p, h.mode); // p is the node just made, not a symlink
    this.xattrs(name, p, h);
    fs.lutimesSync(p, h.atime ?? h.mtime, h.mtime);
    this.landed(real, false);
  }

  /**
   * Whiteouts, per driver:
   *  vfs: applied: the lower entry is deleted; an opaque directory loses what lower layers put in
   *    it, but keeps what this layer already created there (the OCI spec applies the opaque marker
   *    before the directory's new entries, whatever the tar order).
   *  overlay / overlay-userxattr: kernel overlayfs form: char device 0:0 named like the victim; an
   *    opaque directory gets trusted.overlay.opaque=y (user.overlay.opaque=y for a rootless mount
   *    with `userxattr`).
   *  fuse: kept in OCI form: an empty `.wh.NAME` file and an empty `.wh..wh..opq` file.
   *    fuse-overlayfs reads both in lower dirs (load_dir treats any `.wh.`-prefixed name as a
   *    whiteout; is_directory_opaque falls back to `.wh..wh..opq` when no opaque xattr is set), and
   *    unlike the 0:0 device (unprivileged mknod of it needs Linux >= 5.8) or an xattr (tmpfs
   *    lacked user.* xattrs before 6.6), a plain file can be created by anyone on any filesystem.
   * A whiteout never hides what this same layer created (again the spec: it applies to lower layers).
   */
  private whiteout(name: string, rel: string, base: string): void {
    const i = rel.lastIndexOf('/');
    const parentRel = i < 0 ? '' : rel.slice(0, i);
    const mode = this.opts.whiteoutMode;
    if (base === WH_OPAQUE) {
      const dir = this.resolveDir(parentRel, name, true)!;
      this.touch(dir);
      if (mode === 'vfs') this.prune(dir); else this.markOpaque(dir);
      return;
    }
    if (base.startsWith(WH_META_PREFIX)) return; // aufs bookkeeping (.wh..wh.plnk etc.): not content
    const victim = base.slice(WH_PREFIX.length);
    if (victim === '' || victim === '.' || victim === '..') throw unsafe(name, 'is an invalid whiteout');
    const parent = this.resolveDir(parentRel, name, mode !== 'vfs');
    if (parent === undefined) return; // vfs: nothing there to delete
    const real = parent === '' ? victim : `${parent}/${victim}`;
    if (this.mine.has(real)) return;
    if (mode === 'vfs') { this.remove(real); return; }
    this.touch(parent);
    if (mode === 'fuse') {
      const whReal = parent === '' ? base : `${parent}/${base}`;
      fs.closeSync(this.create(whReal, () => fs.openSync(this.abs(whReal), CREATE_FLAGS, 0o600)));
      this.touch(whReal);
    } else {
      try {
        this.create(real, () => mknod(this.abs(real), S_IFCHR, makedev(0, 0)));
      } catch (err) {
        throw new TsmanError('ELAYER', `layer entry "${name}": create whiteout device: ${errnoCode(err) ?? String(err)}`, {
          cause: err, hint: 'an unprivileged 0:0 whiteout device needs Linux >= 5.8; use the fuse-overlayfs or vfs driver',
        });
      }
      this.touch(real);
    }
    this.whiteouts.add(real);
  }

  private markOpaque(dir: string): void {
    const mode = this.opts.whiteoutMode;
    if (mode === 'vfs') return;
    if (mode === 'fuse') {
      const f = dir === '' ? WH_OPAQUE : `${dir}/${WH_OPAQUE}`;
      try { fs.closeSync(fs.openSync(this.abs(f), CREATE_FLAGS, 0o600)); } catch (err) { if (errnoCode(err) !== 'EEXIST') throw err; }
      this.touch(f);
      return;
    }
    const key = mode === 'overlay' ? 'trusted.overlay.opaque' : 'user.overlay.opaque';
    try {
      lsetxattr(this.abs(dir), key, Buffer.from('y'));
    } catch (err) {
      throw new TsmanError('ELAYER', `mark \`${dir || '/'}\` opaque: set xattr ${key}: ${errnoCode(err) ?? String(err)}`, { cause: err });
    }
  }

  /** vfs opaque: drop everything under dir that this layer did not create. */
  private prune(dir: string): void {
    for (const ent of fs.readdirSync(this.abs(dir))) {
      const real = dir === '' ? ent : `${dir}/${ent}`;
      // lstat rather than the dirent type: some filesystems report DT_UNKNOWN
      const isDir = fs.lstatSync(this.abs(real)).isDirectory();
      if (!this.mine.has(real)) this.remove(real, isDir);
      else if (isDir) this.prune(real);
    }
  }

  finish(): void {
    for (const [real, m] of this.dirMeta) {
      if (!this.dirs.has(real)) continue; // replaced or removed since
      const p = this.abs(real);
      fs.chmodSync(p, m.mode);
      fs.lutimesSync(p, m.atime, m.mtime);
    }
  }
}

/** Extract a layer tar into dest (which exists), returning the digest and size of the tar. */
export async function extractLayer(tarStream: Readable, dest: string, opts: ExtractOptions): Promise<ExtractResult> {
  const alg = opts.digestAlgorithm ?? 'sha256';
  const hash = createHash(alg);
  const reader = new TarReader(tarStream, (c) => hash.update(c));
  const x = new Extractor(dest, opts);
  let h: TarHeader | null = null;
  try {
    for (h = await reader.next(); h; h = await reader.next()) await x.entry(h, reader);
    await reader.drain();
    x.finish();
  } catch (err) {
    await reader.close().catch(() => undefined);
    tarStream.destroy();
    if (err instanceof TsmanError || !h) throw err;
    throw wrapError(err, `extract layer entry "${h.name}"`);
  }
  return { diffId: `${alg}:${hash.digest('hex')}`, size: reader.bytes };
}

/**
 * Unpack a tar into a plain directory (a volume, a `cp` destination), with the same safety as a
 * layer: no driver is involved, so `.wh.` entries are applied as deletions, as a layer of a full
 * copy (vfs) has them.
 */
export function extractTree(tarStream: Readable, dest: string, opts: Omit<ExtractOptions, 'whiteoutMode'>): Promise<ExtractResult> {
  return extractLayer(tarStream, dest, { ...opts, whiteoutMode: 'vfs' });
}
