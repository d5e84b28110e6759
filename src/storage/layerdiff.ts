// Layer → changes → tar: what a driver's `changes`, `diff` and `size` are made of, and the one
// tree-to-tar writer of the store (volume export writes a whole tree with it too; `tsman cp`'s
// copier walks a container's tree through its own confined resolver and has its own).
//
// Two layer forms:
//  overlay: the layer dir holds only the layer's own entries; a deletion is a whiteout (a 0:0
//    character device, or an OCI `.wh.NAME` file as fuse-overlayfs keeps them), an opaque
//    directory has an opaque xattr (trusted./user.overlay.opaque, user.fuseoverlayfs.opaque) or
//    holds a `.wh..wh..opq` file; the layer's root can be opaque too (it replaces all below).
//  copy (vfs): the layer dir is a full tree; its changes are found by comparing it with its
//    parent's tree (type, mode, owner, size, mtime, link target, device), as containers/storage's
//    naive differ does.
// Changes come in tree order, a directory before what is under it; a directory is changed when
// its own metadata changed or something under it did (so every change's parents are in the list
// before it, and a tar made from the list can be applied on its own). Deletions are only listed
// for what the parents show.
import * as fs from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { TarWriter, type TarWriteEntry } from './tarwriter.js';
import { lgetxattr, llistxattr } from '../util/libc.js';

export interface Change {
  kind: 'A' | 'C' | 'D';
  /** absolute inside the layer: `/etc/passwd` */
  path: string;
}

export type LayerForm = { kind: 'overlay' } | { kind: 'copy' };

interface LayerChange extends Change {
  /** directories (and the root, path '/'): lower content does not show through */
  opaque?: boolean;
}

const WH = '.wh.';
const WH_META = '.wh..wh.';
const OPQ = '.wh..wh..opq';
const OPAQUE_XATTRS = ['trusted.overlay.opaque', 'user.overlay.opaque', 'user.fuseoverlayfs.opaque'];

function lstat(p: string): fs.Stats | undefined {
  return fs.lstatSync(p, { throwIfNoEntry: false });
}

function sortedNames(dir: string): string[] {
  return fs.readdirSync(dir).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function join(rel: string, name: string): string {
  return rel === '' ? name : `${rel}/${name}`;
}

function isWhiteoutDevice(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** An overlay-form directory that hides what lower layers have in it. */
export function isOpaqueDir(abs: string): boolean {
  for (const k of OPAQUE_XATTRS) {
    try {
      if (lgetxattr(abs, k)?.toString() === 'y') return true;
    } catch { /* not readable here (trusted.* rootless): not ours to see */ }
  }
  return lstat(`${abs}/${OPQ}`)?.isFile() ?? false;
}

/** xattrs the storage drivers keep their own state in: not part of a layer's content */
export function isDriverXattr(k: string): boolean {
  return k.startsWith('trusted.overlay.') || k.startsWith('user.overlay.') || k.startsWith('user.fuseoverlayfs.')
    || k.startsWith('user.containers.');
}

/** What the parents show at a path. */
interface Lowers {
  stat(rel: string): fs.Stats | undefined;
  names(rel: string): string[];
}

/** A stack of overlay-form layers, bottom first, read as the kernel would merge them. */
class OverlayLowers implements Lowers {
  private readonly top: string[];
  constructor(layers: string[]) { this.top = [...layers].reverse(); }

  stat(rel: string): fs.Stats | undefined {
    const parts = rel.split('/');
    for (const layer of this.top) {
      let stop = isOpaqueDir(layer);
      let cur = layer;
      for (let i = 0; i < parts.length; i++) {
        const name = parts[i]!;
        if (lstat(`${cur}/${WH}${name}`)) return undefined;
        const abs = `${cur}/${name}`;
        const st = lstat(abs);
        if (!st) break;
        if (isWhiteoutDevice(st)) return undefined;
        if (i === parts.length - 1) return st;
        if (!st.isDirectory()) return undefined;
        if (isOpaqueDir(abs)) stop = true;
        cur = abs;
      }
      if (stop) return undefined;
    }
    return undefined;
  }

  names(rel: string): string[] {
    const all = new Set<string>();
    for (const layer of this.top) {
      const st = lstat(join(layer, rel));
      if (!st?.isDirectory()) continue;
      for (const n of fs.readdirSync(join(layer, rel))) if (!n.startsWith(WH)) all.add(n);
    }
    return [...all].filter((n) => this.stat(join(rel, n)) !== undefined);
  }
}

/** A parent in copy form: a full tree. */
class CopyLowers implements Lowers {
  constructor(private readonly dir: string | undefined) {}
  stat(rel: string): fs.Stats | undefined {
    return this.dir === undefined ? undefined : lstat(join(this.dir, rel));
  }
  names(rel: string): string[] {
    return this.stat(rel)?.isDirectory() ? fs.readdirSync(join(this.dir!, rel)) : [];
  }
}

function toPath(rel: string): string {
  return `/${rel}`;
}

function overlayChanges(dir: string, parents: string[]): LayerChange[] {
  const lowers = new OverlayLowers(parents);
  const out: LayerChange[] = [];
  const deletedUnder = (rel: string, present: Set<string>): void => {
    for (const n of lowers.names(rel).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
      if (!present.has(n)) out.push({ kind: 'D', path: toPath(join(rel, n)) });
    }
  };
  const walk = (rel: string, hidden: boolean): void => {
    const abs = join(dir, rel);
    const names = sortedNames(abs);
    const present = new Set(names.filter((n) => !n.startsWith(WH)));
    if (hidden) deletedUnder(rel, present);
    for (const name of names) {
      const r = join(rel, name);
      if (name.startsWith(WH)) {
        if (name.startsWith(WH_META)) continue; // the opaque marker (the directory's), aufs bookkeeping
        const victim = join(rel, name.slice(WH.length));
        if (!hidden && !present.has(name.slice(WH.length)) && lowers.stat(victim)) out.push({ kind: 'D', path: toPath(victim) });
        continue;
      }
      const st = lstat(join(dir, r))!;
      if (isWhiteoutDevice(st)) {
        if (!hidden && lowers.stat(r)) out.push({ kind: 'D', path: toPath(r) });
        continue;
      }
      const kind = lowers.stat(r) ? 'C' : 'A';
      if (st.isDirectory()) {
        const opaque = isOpaqueDir(join(dir, r));
        out.push(opaque ? { kind, path: toPath(r), opaque } : { kind, path: toPath(r) });
        walk(r, hidden || opaque);
      } else {
        out.push({ kind, path: toPath(r) });
      }
    }
  };
  const rootOpaque = isOpaqueDir(dir);
  if (rootOpaque) out.push({ kind: 'C', path: '/', opaque: true });
  walk('', rootOpaque);
  return out;
}

function sameEntry(a: fs.Stats, b: fs.Stats, la: string, lb: string): boolean {
  if ((a.mode & 0o170000) !== (b.mode & 0o170000)) return false;
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid) return false;
  if (a.isDirectory()) return a.mtimeMs === b.mtimeMs;
  if (a.size !== b.size || a.mtimeMs !== b.mtimeMs || a.rdev !== b.rdev) return false;
  if (a.isSymbolicLink()) return fs.readlinkSync(la) === fs.readlinkSync(lb);
  return true;
}

function copyChanges(dir: string, parent: string | undefined): LayerChange[] {
  const lowers = new CopyLowers(parent);
  const added = (rel: string, out: LayerChange[]): void => {
    for (const n of sortedNames(join(dir, rel))) {
      const r = join(rel, n);
      out.push({ kind: 'A', path: toPath(r) });
      if (lstat(join(dir, r))!.isDirectory()) added(r, out);
    }
  };
  const walk = (rel: string): LayerChange[] => {
    const out: LayerChange[] = [];
    const mine = new Set(fs.readdirSync(join(dir, rel)));
    const names = [...new Set([...mine, ...lowers.names(rel)])].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const r = join(rel, name);
      const st = mine.has(name) ? lstat(join(dir, r)) : undefined;
      const pst = lowers.stat(r);
      if (!st) { out.push({ kind: 'D', path: toPath(r) }); continue; }
      if (!pst || (pst.mode & 0o170000) !== (st.mode & 0o170000)) {
        out.push({ kind: pst ? 'C' : 'A', path: toPath(r) });
        if (st.isDirectory()) added(r, out);
        continue;
      }
      if (st.isDirectory()) {
        const sub = walk(r);
        if (sub.length > 0 || !sameEntry(st, pst, join(dir, r), join(parent!, r))) out.push({ kind: 'C', path: toPath(r) }, ...sub);
      } else if (!sameEntry(st, pst, join(dir, r), join(parent!, r))) {
        out.push({ kind: 'C', path: toPath(r) });
      }
    }
    return out;
  };
  return walk('');
}

/** The layer's changes against its parents (diff dirs, bottom first), in tree order. */
export async function layerChanges(form: LayerForm, dir: string, parents: string[]): Promise<LayerChange[]> {
  return form.kind === 'overlay' ? overlayChanges(dir, parents) : copyChanges(dir, parents[parents.length - 1]);
}

/** Bytes of file data the layer adds or changes (each inode once). */
export async function layerSize(form: LayerForm, dir: string, parents: string[]): Promise<number> {
  const seen = new Set<string>();
  let n = 0;
  for (const c of await layerChanges(form, dir, parents)) {
    if (c.kind === 'D' || c.path === '/') continue;
    const st = lstat(dir + c.path);
    if (!st?.isFile()) continue;
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    n += st.size;
  }
  return n;
}

function major(rdev: number): number { return Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn); }
function minor(rdev: number): number { return Number(BigInt(rdev) & 0xffn) | Number((BigInt(rdev) >> 12n) & ~0xffn); }

export interface TreeTarOptions {
  /** write each entry's xattrs (the drivers' own left out) */
  xattrs?: boolean;
}

/**
 * Writes files of a tree as tar entries: numeric owners, whole-second mtimes, a second name of a
 * regular file already written as a hard link to the first, devices and fifos; sockets are skipped (no tar
 * form, as Go's archive does).
 */
export class TreeTarWriter {
  readonly tw: TarWriter;
  private readonly links = new Map<string, string>();
  constructor(out: Writable, private readonly opts: TreeTarOptions = {}) {
    this.tw = new TarWriter(out);
  }

  private xattrs(abs: string): Record<string, Buffer> | undefined {
    if (!this.opts.xattrs) return undefined;
    let names: string[];
    try { names = llistxattr(abs); } catch { return undefined; }
    const out: Record<string, Buffer> = {};
    let any = false;
    for (const k of names) {
      if (isDriverXattr(k)) continue;
      let v: Buffer | undefined;
      try { v = lgetxattr(abs, k); } catch { continue; }
      if (v === undefined) continue;
      out[k] = Buffer.from(v);
      any = true;
    }
    return any ? out : undefined;
  }

  /** Write the entry at `abs` (already lstat'ed) as `rel`. */
  async add(rel: string, abs: string, st: fs.Stats): Promise<void> {
    // the mode with its file type bits, as Go's archive/tar writes it
    const base: TarWriteEntry = { path: rel, type: 'file', mode: st.mode & 0o177777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
    const x = this.xattrs(abs);
    if (x) base.xattrs = x;
    if (st.isDirectory()) { await this.tw.add({ ...base, type: 'dir' }); return; }
    if (st.isFile() && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.links.get(key);
      if (first !== undefined) { await this.tw.add({ ...base, type: 'hardlink', linkname: first }); return; }
      this.links.set(key, rel);
    }
    if (st.isFile()) {
      await this.tw.add({ ...base, type: 'file', size: st.size }, fs.createReadStream(abs));
    } else if (st.isSymbolicLink()) {
      await this.tw.add({ ...base, type: 'symlink', linkname: fs.readlinkSync(abs) });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      await this.tw.add({ ...base, type: st.isCharacterDevice() ? 'char' : 'block', devmajor: major(st.rdev), devminor: minor(st.rdev) });
    } else if (st.isFIFO()) {
      await this.tw.add({ ...base, type: 'fifo' });
    }
  }

  /** A whole tree under `dir` (no entry for `dir` itself), names in byte order, each directory before its content. */
  async addTree(dir: string, rel = ''): Promise<void> {
    for (const n of await fs.promises.readdir(dir).then((a) => a.sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))))) {
      const abs = `${dir}/${n}`;
      let st: fs.Stats;
      try { st = await fs.promises.lstat(abs); } catch (err) { if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; throw err; }
      const r = join(rel, n);
      await this.add(r, abs, st);
      if (st.isDirectory()) await this.addTree(abs, r);
    }
  }

  async finish(out: Writable): Promise<void> {
    await this.tw.finish();
    await finished(out);
  }
}

/** The layer's changes as a tar with OCI whiteouts (`.wh.NAME`, `.wh..wh..opq`), into `out`. */
export async function writeLayerDiff(form: LayerForm, dir: string, parents: string[], out: Writable): Promise<void> {
  const w = new TreeTarWriter(out, { xattrs: true });
  const marker = (rel: string, name: string): TarWriteEntry => ({ path: join(rel, name), type: 'file', mode: 0o600, uid: 0, gid: 0, mtime: 0, size: 0 });
  // deletions under an opaque directory go without a whiteout: the directory hides all below
  const opaque: string[] = [];
  const underOpaque = (rel: string) => opaque.some((o) => o === '' || rel.startsWith(`${o}/`));
  for (const c of await layerChanges(form, dir, parents)) {
    const rel = c.path.slice(1);
    if (c.kind === 'D') {
      if (underOpaque(rel)) continue;
      const i = rel.lastIndexOf('/');
      await w.tw.add(marker(i < 0 ? '' : rel.slice(0, i), WH + rel.slice(i + 1)));
      continue;
    }
    if (rel !== '') {
      const abs = join(dir, rel);
      await w.add(rel, abs, lstat(abs)!);
    }
    if (c.opaque) {
      await w.tw.add(marker(rel, OPQ));
      opaque.push(rel);
    }
  }
  await w.finish(out);
}
