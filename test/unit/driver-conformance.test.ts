// The storage driver conformance suite: every driver (overlay, fuse-overlayfs, vfs) must show the
// same trees for the same layers, list the same changes and give diffs that rebuild the same
// trees: whiteouts and opaque directories in every position (nested, at the top, a layer's
// root), hard links, xattrs, ownership, a file replaced by a directory, a container's writable
// layer. Runs as root (the unit suite in CI) and through test/bats/035-driver-conformance.bats,
// which runs it as root and, inside `tsman unshare`, rootless; skipped for a non-root user
// outside a user namespace (nothing could be mounted).
//   TSMAN_CONFORMANCE_DRIVERS=vfs,overlay   the drivers to test (default: all three)
//   TSMAN_CONFORMANCE_DIR=DIR               where to work (default: the temp dir)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { buildTar, type TarWriteEntry } from '../../src/storage/tarwriter.js';
import { createDriver, type Driver, type Change } from '../../src/storage/driver.js';
import { lgetxattr, llistxattr, lsetxattr, umount2, MNT_DETACH } from '../../src/util/libc.js';
import { readTar } from '../../src/storage/tar.js';

const isRoot = process.getuid?.() === 0;
/** inside a user namespace (tsman unshare): the root there is a host user */
const rootless = isRoot && !/^\s*0\s+0\s+4294967295/.test(fs.readFileSync('/proc/self/uid_map', 'utf8'));
const drivers = (process.env.TSMAN_CONFORMANCE_DRIVERS ?? 'overlay,fuse-overlayfs,vfs').split(',');

// ---- the layers ---------------------------------------------------------------------------------

const T1 = 1_600_000_000;
const T2 = 1_650_000_000;
const T3 = 1_700_000_000;
const dir = (p: string, extra: Partial<TarWriteEntry> = {}): TarWriteEntry => ({ path: p, type: 'dir', mode: 0o755, mtime: T1, ...extra });
const file = (p: string, data: string, extra: Partial<TarWriteEntry> = {}): TarWriteEntry => ({ path: p, type: 'file', mode: 0o644, data, mtime: T1, ...extra });
const wh = (p: string): TarWriteEntry => ({ path: p, type: 'file', mode: 0o600, data: '', mtime: T1 });

const L1: TarWriteEntry[] = [
  dir('a', { xattrs: { 'user.dir': 'one' } }), dir('a/b'), dir('a/b/c'), file('a/b/c/deep', 'deep'),
  dir('etc'), file('etc/passwd', 'root:x:0:0\n', { xattrs: { 'user.test': 'hello' } }), file('etc/group', 'root:x:0:\n'),
  dir('keep'), file('keep/x', 'x'), file('keep/y', 'y'),
  dir('opq'), file('opq/old1', '1'), dir('opq/sub'), file('opq/sub/old2', '2'),
  file('f1', 'linked'), { path: 'f1link', type: 'hardlink', linkname: 'f1', mtime: T1 },
  file('gone', 'bye'), dir('gonedir'), file('gonedir/inner', 'in'),
  { path: 'lnk', type: 'symlink', linkname: 'etc/passwd', mtime: T1 },
  file('owned', 'mine', { uid: 1, gid: 2, mode: 0o640 }), dir('odir', { uid: 3, gid: 4, mode: 0o750 }),
  { path: 'pipe', type: 'fifo', mode: 0o600, mtime: T1 },
  file('root1', 'a file first'),
];
const L2: TarWriteEntry[] = [
  wh('.wh.gone'), wh('.wh.gonedir'),
  dir('keep', { mtime: T2 }), wh('keep/.wh.x'),
  dir('opq', { mtime: T2 }), wh('opq/.wh..wh..opq'), file('opq/new1', 'new'),
  dir('a', { mtime: T2, xattrs: { 'user.dir': 'one' } }), dir('a/b', { mtime: T2 }), file('a/b/newb', 'b'), wh('a/b/.wh..wh..opq'),
  dir('etc', { mtime: T2 }), file('etc/passwd', 'root:x:0:0:changed\n', { mtime: T2, xattrs: { 'user.test': 'again' } }),
  dir('h', { mtime: T2 }), file('h/one', 'pair', { mtime: T2 }), { path: 'h/two', type: 'hardlink', linkname: 'h/one', mtime: T2 },
  wh('.wh.root1'), dir('root1', { mtime: T2 }), file('root1/child', 'c', { mtime: T2 }),
];
// a layer that replaces everything below it: an opaque whiteout at the layer's root
const L3: TarWriteEntry[] = [
  wh('.wh..wh..opq'), dir('etc', { mtime: T3 }), file('etc/hostname', 'box\n', { mtime: T3 }), file('fresh', 'f', { mtime: T3, uid: 5, gid: 6 }),
  dir('keep', { mtime: T3 }), file('keep/z', 'z', { mtime: T3 }),
];
const L4: TarWriteEntry[] = [
  wh('.wh.fresh'), dir('etc', { mtime: T3 + 1 }), file('etc/new', 'n', { mtime: T3 + 1 }), wh('keep/.wh.z'),
];
const LAYERS = [L1, L2, L3, L4];

/** What each layer adds (A), changes (C) and deletes (D) against the ones below, sorted. */
const CHANGES: string[][] = [
  ['A /a', 'A /a/b', 'A /a/b/c', 'A /a/b/c/deep', 'A /etc', 'A /etc/group', 'A /etc/passwd', 'A /f1', 'A /f1link', 'A /gone',
    'A /gonedir', 'A /gonedir/inner', 'A /keep', 'A /keep/x', 'A /keep/y', 'A /lnk', 'A /odir', 'A /opq', 'A /opq/old1',
    'A /opq/sub', 'A /opq/sub/old2', 'A /owned', 'A /pipe', 'A /root1'],
  ['C /a', 'C /a/b', 'D /a/b/c', 'A /a/b/newb', 'C /etc', 'C /etc/passwd', 'D /gone', 'D /gonedir', 'A /h', 'A /h/one', 'A /h/two',
    'C /keep', 'D /keep/x', 'C /opq', 'A /opq/new1', 'D /opq/old1', 'D /opq/sub', 'C /root1', 'A /root1/child'],
  ['D /a', 'C /etc', 'D /etc/group', 'A /etc/hostname', 'D /etc/passwd', 'D /f1', 'D /f1link', 'A /fresh', 'D /h', 'C /keep',
    'D /keep/y', 'A /keep/z', 'D /lnk', 'D /odir', 'D /opq', 'D /owned', 'D /pipe', 'D /root1'],
  ['C /etc', 'A /etc/new', 'D /fresh', 'C /keep', 'D /keep/z'],
];

// ---- a reference model of the merged tree (the OCI image spec's rules) -------------------------

interface Node { type: string; mode: number; uid: number; gid: number; data?: string; link?: string; xattrs: Record<string, string>; group?: string }
type Tree = Map<string, Node>;

function applyModel(prev: Tree, layer: TarWriteEntry[]): Tree {
  const t: Tree = new Map(prev);
  const mine = new Set<string>();
  const under = (p: string) => (k: string) => p === '' || k === p || k.startsWith(`${p}/`);
  const drop = (pred: (k: string) => boolean) => { for (const k of [...t.keys()]) if (pred(k) && !mine.has(k)) t.delete(k); };
  for (const e of layer) {
    const base = path.posix.basename(e.path);
    const parent = path.posix.dirname(e.path) === '.' ? '' : path.posix.dirname(e.path);
    if (base === '.wh..wh..opq') { drop((k) => k !== parent && under(parent)(k)); continue; }
    if (base.startsWith('.wh.')) { drop(under(path.posix.join(parent, base.slice(4)))); continue; }
    const xattrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.xattrs ?? {})) xattrs[k] = v.toString();
    const old = t.get(e.path);
    if (old && (old.type !== 'dir' || e.type !== 'dir')) for (const k of [...t.keys()]) if (k.startsWith(`${e.path}/`)) t.delete(k);
    if (e.type === 'hardlink') {
      const target = t.get(e.linkname!)!;
      target.group ??= e.linkname!;
      t.set(e.path, target);
    } else {
      t.set(e.path, {
        type: e.type, mode: e.type === 'symlink' ? 0o777 : e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0, xattrs,
        ...(e.type === 'file' ? { data: String(e.data ?? '') } : {}), ...(e.linkname ? { link: e.linkname } : {}),
      });
    }
    for (let p = e.path; p !== '.' && p !== ''; p = path.posix.dirname(p)) mine.add(p);
  }
  return t;
}

const MODELS: Tree[] = [];
LAYERS.reduce((prev, l) => { const t = applyModel(prev, l); MODELS.push(t); return t; }, new Map() as Tree);

/** A tree as lines: path, type, mode, owner, content, link target, user xattrs, hard link group. */
function describeModel(t: Tree): string[] {
  const groups = new Map<Node, string>();
  for (const [p, n] of [...t.entries()].sort()) if (n.group && !groups.has(n)) groups.set(n, p);
  return [...t.entries()].map(([p, n]) => line(p, n.type, n.mode, n.uid, n.gid, n.data, n.link, n.xattrs, groups.get(n))).sort();
}

function line(p: string, type: string, mode: number, uid: number, gid: number, data: string | undefined, link: string | undefined, xattrs: Record<string, string>, group: string | undefined): string {
  const x = Object.entries(xattrs).filter(([k]) => k.startsWith('user.')).sort().map(([k, v]) => `${k}=${v}`).join(',');
  const owner = `${uid}:${gid}`;
  return [p, type, mode.toString(8), owner, data === undefined ? '' : createHash('sha256').update(data).digest('hex').slice(0, 12), link ?? '', x, group ? `link:${group}` : ''].join(' ');
}

function describeTree(root: string): string[] {
  const out: Array<[string, fs.Stats, string]> = [];
  const walk = (rel: string): void => {
    for (const n of fs.readdirSync(path.join(root, rel))) {
      const r = rel ? `${rel}/${n}` : n;
      const abs = path.join(root, r);
      const st = fs.lstatSync(abs);
      out.push([r, st, abs]);
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  const firstByIno = new Map<string, string>();
  for (const [r, st] of [...out].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!st.isDirectory() && st.nlink > 1 && !firstByIno.has(`${st.ino}`)) firstByIno.set(`${st.ino}`, r);
  }
  return out.map(([r, st, abs]) => {
    const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : st.isFIFO() ? 'fifo' : 'other';
    const xattrs: Record<string, string> = {};
    for (const k of llistxattr(abs)) if (k.startsWith('user.') && !k.startsWith('user.overlay.') && !k.startsWith('user.fuseoverlayfs.')) xattrs[k] = lgetxattr(abs, k)!.toString();
    const group = st.nlink > 1 && !st.isDirectory() ? firstByIno.get(`${st.ino}`) : undefined;
    return line(r, type, st.mode & 0o7777, st.uid, st.gid, st.isFile() ? fs.readFileSync(abs, 'utf8') : undefined,
      st.isSymbolicLink() ? fs.readlinkSync(abs) : undefined, xattrs, group);
  }).sort();
}

// ---- helpers ---------------------------------------------------------------------------------------

function stream(buf: Buffer): Readable {
  return Readable.from((function* () { for (let i = 0; i < buf.length; i += 4000) yield buf.subarray(i, i + 4000); })());
}

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function tarNames(buf: Buffer): Promise<string[]> {
  const names: string[] = [];
  for await (const e of readTar(stream(buf))) names.push(e.header.name);
  return names;
}

function fmtChanges(c: Change[]): string[] {
  return c.filter((x) => x.path !== '/').map((x) => `${x.kind} ${x.path}`).sort();
}

class Stack {
  readonly layers: string[] = [];
  constructor(readonly drv: Driver, readonly root: string, readonly name: string) {}
  async add(tar: Buffer): Promise<string> {
    const d = path.join(this.root, `${this.name}-${this.layers.length}`, 'diff');
    fs.mkdirSync(d, { recursive: true });
    await this.drv.createLayer(d, this.layers[this.layers.length - 1]);
    await this.drv.applyDiff(d, stream(tar), { rootless });
    this.layers.push(d);
    return d;
  }
  async view<T>(n: number, fn: (merged: string) => T | Promise<T>): Promise<T> {
    const target = path.join(this.root, `${this.name}-mnt`);
    fs.mkdirSync(target, { recursive: true });
    await this.drv.mount({ layers: this.layers.slice(0, n), target, readOnly: true });
    try { return await fn(target); } finally { await this.drv.unmount(target); }
  }
}

// ---- the suite -------------------------------------------------------------------------------------

for (const name of drivers) {
  test(`driver ${name}${rootless ? ' (rootless)' : ''}`, { skip: !isRoot && 'needs root or a user namespace (bats 035 runs it in one)' }, async (t) => {
    const base = fs.mkdtempSync(path.join(process.env.TSMAN_CONFORMANCE_DIR ?? os.tmpdir(), `tsman-conformance-${name}-`));
    const drv = await createDriver(name, rootless);
    const mounts: string[] = [];
    t.after(async () => {
      for (const m of mounts) await drv.unmount(m, true).catch(() => undefined);
      // whatever a failed part left mounted under base goes too (a mount left behind as root
      // would show in every mount namespace made later)
      const left = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '')
        .filter((m) => m.startsWith(`${base}/`)).sort().reverse();
      for (const m of left) { try { umount2(m, MNT_DETACH); } catch { /* gone meanwhile */ } }
      fs.rmSync(base, { recursive: true, force: true });
    });
    const orig = new Stack(drv, base, 'layer');
    for (const l of LAYERS) await orig.add(buildTar(l));

    await t.test('every stack shows what the image spec says (opaque root included)', async () => {
      for (let n = 1; n <= LAYERS.length; n++) {
        const got = await orig.view(n, (m) => describeTree(m));
        assert.deepEqual(got, describeModel(MODELS[n - 1]!), `layers 1..${n}`);
      }
    });

    await t.test('changes of each layer against the ones below', async () => {
      for (let n = 1; n <= LAYERS.length; n++) {
        const c = await drv.changes(orig.layers[n - 1]!, orig.layers.slice(0, n - 1));
        assert.deepEqual(fmtChanges(c), [...CHANGES[n - 1]!].sort(), `layer ${n}`);
      }
      assert.equal(await drv.size(orig.layers[1]!, orig.layers.slice(0, 1)), 'b'.length + 'root:x:0:0:changed\n'.length + 'new'.length + 'pair'.length + 'c'.length);
    });

    await t.test('diff writes OCI whiteouts; diff → applyDiff rebuilds every stack', async () => {
      const copy = new Stack(drv, base, 'copy');
      for (let n = 1; n <= LAYERS.length; n++) {
        const tar = await collect(drv.diff(orig.layers[n - 1]!, orig.layers.slice(0, n - 1)));
        const names = await tarNames(tar);
        if (n === 2) {
          for (const w of ['.wh.gone', '.wh.gonedir', 'keep/.wh.x']) assert.ok(names.includes(w), `${w} in ${names.join(' ')}`);
          assert.ok(names.includes('opq/.wh..wh..opq') || (names.includes('opq/.wh.old1') && names.includes('opq/.wh.sub')), names.join(' '));
        }
        if (n === 3) assert.ok(names.includes('.wh..wh..opq') || names.includes('.wh.a'), names.join(' '));
        assert.ok(!names.some((x) => /(^|\/)\.wh\.\.wh\.(?!\.opq$)/.test(x)), names.join(' '));
        await copy.add(tar);
        const got = await copy.view(n, (m) => describeTree(m));
        assert.deepEqual(got, describeModel(MODELS[n - 1]!), `rebuilt layers 1..${n}`);
        const c = await drv.changes(copy.layers[n - 1]!, copy.layers.slice(0, n - 1));
        assert.deepEqual(fmtChanges(c), [...CHANGES[n - 1]!].sort(), `rebuilt layer ${n}`);
      }
    });

    await t.test('a container layer: changes, and its diff applied as a layer shows the same tree', async () => {
      const ctr = path.join(base, 'ctr');
      const upper = path.join(ctr, 'diff');
      const work = path.join(ctr, 'work');
      const merged = path.join(ctr, 'merged');
      for (const d of [upper, work, merged]) fs.mkdirSync(d, { recursive: true });
      const layers = orig.layers.slice(0, 2);
      await drv.createLayer(upper, layers[layers.length - 1]);
      await drv.mount({ layers, upper, work, target: merged });
      mounts.push(merged);
      fs.rmSync(path.join(merged, 'etc/group'));
      fs.rmSync(path.join(merged, 'h'), { recursive: true });
      fs.rmSync(path.join(merged, 'keep'), { recursive: true });
      fs.mkdirSync(path.join(merged, 'keep'));
      fs.writeFileSync(path.join(merged, 'keep/new'), 'k');
      fs.appendFileSync(path.join(merged, 'etc/passwd'), 'more\n');
      fs.writeFileSync(path.join(merged, 'added'), 'a');
      fs.linkSync(path.join(merged, 'added'), path.join(merged, 'added2'));
      fs.chownSync(path.join(merged, 'owned'), 7, 8);
      lsetxattr(path.join(merged, 'added'), 'user.note', Buffer.from('x'));
      for (const p of ['keep', 'keep/new', 'etc', 'etc/passwd', 'added', 'owned', '']) fs.utimesSync(path.join(merged, p), T3 + 5, T3 + 5);
      const before = describeTree(merged);
      await drv.unmount(merged);
      mounts.pop();
      const c = fmtChanges(await drv.changes(upper, layers));
      for (const want of ['D /etc/group', 'C /etc/passwd', 'D /h', 'C /keep', 'A /keep/new', 'A /added', 'A /added2', 'C /owned']) {
        assert.ok(c.includes(want), `${want} in ${c.join(', ')}`);
      }
      assert.ok(!c.includes('D /keep/y') || !c.includes('C /keep/y'));
      const tar = await collect(drv.diff(upper, layers));
      const rebuilt = new Stack(drv, base, 'rebuilt');
      for (const l of LAYERS.slice(0, 2)) await rebuilt.add(buildTar(l));
      await rebuilt.add(tar);
      const got = await rebuilt.view(3, (m) => describeTree(m));
      assert.deepEqual(got.filter((l) => !l.startsWith(' ')), before.filter((l) => !l.startsWith(' ')));
    });

    await t.test('mounts are counted', async () => {
      const target = path.join(base, 'counted');
      fs.mkdirSync(target);
      const req = { layers: orig.layers.slice(0, 2), target, readOnly: true };
      await drv.mount(req);
      mounts.push(target);
      await drv.mount(req);
      const mounted = () => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === target);
      await drv.unmount(target);
      assert.ok(mounted(), 'still mounted after one of two unmounts');
      await drv.unmount(target);
      mounts.pop();
      for (let i = 0; i < 50 && mounted(); i++) execFileSync('sleep', ['0.02']);
      assert.ok(!mounted(), 'unmounted after the second');
      await drv.removeLayer(path.dirname(orig.layers[3]!));
      assert.ok(!fs.existsSync(orig.layers[3]!));
    });
  });
}
