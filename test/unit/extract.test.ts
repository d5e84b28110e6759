import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { extractLayer, cleanName, type ExtractOptions, type WhiteoutMode } from '../../src/storage/extract.js';
import { openLayerStream } from '../../src/storage/decompress.js';
import { buildTar, type TarWriteEntry } from '../../src/storage/tarwriter.js';
import { TsmanError } from '../../src/errors.js';
import { lgetxattr, lsetxattr } from '../../src/util/libc.js';

const isRoot = process.getuid?.() === 0;

interface Env { root: string; dest: string; sentinel: string; warnings: string[] }

/** Non-root cannot remove what sits in a 0555 directory. */
function makeWritable(dir: string): void {
  fs.chmodSync(dir, 0o700);
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) if (ent.isDirectory()) makeWritable(path.join(dir, ent.name));
}

/** A scratch dir with dest/ and, next to it, sentinel/ holding one file: nothing may touch it. */
function env(t: { after: (fn: () => void) => void }): Env {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsman-extract-'));
  t.after(() => { if (!isRoot) makeWritable(root); fs.rmSync(root, { recursive: true, force: true }); });
  const dest = path.join(root, 'dest');
  const sentinel = path.join(root, 'sentinel');
  fs.mkdirSync(dest);
  fs.mkdirSync(path.join(sentinel, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(sentinel, 'etc', 'passwd'), 'host\n');
  return { root, dest, sentinel, warnings: [] };
}

function assertSentinelIntact(e: Env): void {
  assert.deepEqual(fs.readdirSync(e.root).sort(), ['dest', 'sentinel']);
  assert.deepEqual(fs.readdirSync(e.sentinel), ['etc']);
  assert.deepEqual(fs.readdirSync(path.join(e.sentinel, 'etc')), ['passwd']);
  assert.equal(fs.readFileSync(path.join(e.sentinel, 'etc', 'passwd'), 'utf8'), 'host\n');
}

function opts(e: Env, mode: WhiteoutMode = 'vfs', extra: Partial<ExtractOptions> = {}): ExtractOptions {
  return { whiteoutMode: mode, rootless: false, ignoreChownErrors: !isRoot, warn: (m) => e.warnings.push(m), ...extra };
}

function run(e: Env, tar: Buffer | TarWriteEntry[], mode: WhiteoutMode = 'vfs', extra: Partial<ExtractOptions> = {}) {
  const buf = Buffer.isBuffer(tar) ? tar : buildTar(tar);
  // several chunks, so bodies straddle reads
  const src = Readable.from((function* () { for (let i = 0; i < buf.length; i += 3000) yield buf.subarray(i, i + 3000); })());
  return extractLayer(src, e.dest, opts(e, mode, extra));
}

const unsafe = (e: unknown) => e instanceof TsmanError && e.code === 'EUNSAFE';

test('cleanName', () => {
  assert.equal(cleanName('./a//b/./c/'), 'a/b/c');
  assert.equal(cleanName('/etc/passwd'), 'etc/passwd');
  assert.equal(cleanName('a/../b'), 'b');
  assert.equal(cleanName('./'), '');
  assert.equal(cleanName('../x'), null);
  assert.equal(cleanName('a/../../x'), null);
  assert.equal(cleanName('/../x'), null);
});

test('files, dirs, symlinks, hardlinks, long names, modes, times; diffId is the tar sha256', async (t) => {
  const e = env(t);
  const long = `${'a'.repeat(90)}/${'b'.repeat(90)}/${'c'.repeat(120)}`;
  const tar = buildTar([
    { path: './', type: 'dir', mode: 0o755 },
    { path: 'etc', type: 'dir', mode: 0o755, mtime: 1600000000 },
    { path: 'etc/hosts', type: 'file', data: 'hosts\n', mode: 0o640, mtime: 1500000000.5 },
    { path: 'ro', type: 'dir', mode: 0o555, mtime: 1600000001 },
    { path: 'ro/inside', type: 'file', data: 'x' },
    { path: 'bin/sh', type: 'symlink', linkname: '/bin/busybox', mtime: 1400000000 },
    { path: 'bin/busybox', type: 'file', data: Buffer.alloc(200000, 1), mode: 0o755 },
    { path: 'bin/hard', type: 'hardlink', linkname: '/bin/busybox' },
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'usr/bin/su', type: 'file', data: 'su', mode: 0o4755, uid: 0, gid: 0 },
    { path: 'usr/bin/wall', type: 'file', data: 'wall', mode: 0o2755, uid: 0, gid: 5 },
    { path: long, type: 'file', data: 'long' },
    { path: 'fifo', type: 'fifo', mode: 0o600 },
  ]);
  const res = await run(e, tar);
  assert.equal(res.diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
  assert.equal(res.size, tar.length);
  const d = e.dest;
  assert.equal(fs.readFileSync(path.join(d, 'etc/hosts'), 'utf8'), 'hosts\n');
  assert.equal(fs.statSync(path.join(d, 'etc/hosts')).mode & 0o7777, 0o640);
  assert.equal(fs.statSync(path.join(d, 'etc/hosts')).mtimeMs, 1500000000500);
  assert.equal(fs.statSync(path.join(d, 'etc')).mtimeMs, 1600000000000);
  assert.equal(fs.statSync(path.join(d, 'ro')).mode & 0o7777, 0o555);
  assert.equal(fs.statSync(path.join(d, 'ro')).mtimeMs, 1600000001000);
  assert.equal(fs.readlinkSync(path.join(d, 'bin/sh')), '/bin/busybox');
  assert.equal(fs.lstatSync(path.join(d, 'bin/sh')).mtimeMs, 1400000000000);
  assert.equal(fs.statSync(path.join(d, 'bin/busybox')).size, 200000);
  assert.equal(fs.statSync(path.join(d, 'bin/hard')).ino, fs.statSync(path.join(d, 'bin/busybox')).ino);
  assert.equal(fs.statSync(path.join(d, 'tmp')).mode & 0o7777, 0o1777);
  assert.equal(fs.readFileSync(path.join(d, long), 'utf8'), 'long');
  assert.ok(fs.lstatSync(path.join(d, 'fifo')).isFIFO());
  if (isRoot) {
    assert.equal(fs.statSync(path.join(d, 'usr/bin/su')).mode & 0o7777, 0o4755);
    assert.equal(fs.statSync(path.join(d, 'usr/bin/wall')).mode & 0o7777, 0o2755);
    assert.equal(fs.statSync(path.join(d, 'usr/bin/wall')).gid, 5);
  }
  assertSentinelIntact(e);
});

test('xattrs: user.* set, driver xattrs refused, trusted.* skipped when rootless', async (t) => {
  const e = env(t);
  try { lsetxattr(e.dest, 'user.probe', Buffer.from('1')); } catch { t.skip('no user xattrs on this filesystem'); return; }
  await run(e, [
    { path: 'f', type: 'file', data: 'x', xattrs: { 'user.bin': Buffer.from([0, 10, 255]), 'user.overlay.opaque': 'y', 'trusted.x': 'y' } },
  ], 'vfs', { rootless: true });
  const f = path.join(e.dest, 'f');
  assert.deepEqual(lgetxattr(f, 'user.bin'), Buffer.from([0, 10, 255]));
  assert.equal(lgetxattr(f, 'user.overlay.opaque'), undefined);
  if (isRoot) assert.equal(lgetxattr(f, 'trusted.x'), undefined);
  assert.ok(e.warnings.some((w) => w.includes('user.overlay.opaque')));
});

test('security.capability survives the chown (root only)', { skip: !isRoot }, async (t) => {
  const e = env(t);
  // VFS_CAP_REVISION_2, cap_net_raw permitted+effective
  const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
  await run(e, [{ path: 'ping', type: 'file', data: 'x', mode: 0o755, uid: 0, gid: 0, xattrs: { 'security.capability': cap } }]);
  assert.deepEqual(lgetxattr(path.join(e.dest, 'ping'), 'security.capability'), cap);
});

test('replacing: file over dir, dir over file, dir over dir keeps content', async (t) => {
  const e = env(t);
  fs.mkdirSync(path.join(e.dest, 'was-dir/sub'), { recursive: true });
  fs.writeFileSync(path.join(e.dest, 'was-file'), 'old');
  fs.mkdirSync(path.join(e.dest, 'keep'));
  fs.writeFileSync(path.join(e.dest, 'keep/old'), 'old');
  fs.symlinkSync('/nonexistent', path.join(e.dest, 'was-link'));
  await run(e, [
    { path: 'was-dir', type: 'file', data: 'now a file' },
    { path: 'was-file', type: 'dir', mode: 0o700 },
    { path: 'keep', type: 'dir', mode: 0o750 },
    { path: 'was-link', type: 'file', data: 'f' },
  ]);
  assert.equal(fs.readFileSync(path.join(e.dest, 'was-dir'), 'utf8'), 'now a file');
  assert.ok(fs.statSync(path.join(e.dest, 'was-file')).isDirectory());
  assert.equal(fs.readFileSync(path.join(e.dest, 'keep/old'), 'utf8'), 'old');
  assert.equal(fs.statSync(path.join(e.dest, 'keep')).mode & 0o777, 0o750);
  assert.ok(fs.lstatSync(path.join(e.dest, 'was-link')).isFile());
});

test('vfs whiteouts delete lower entries; opaque keeps what this layer made, whatever the order', async (t) => {
  const e = env(t);
  const d = e.dest;
  fs.mkdirSync(path.join(d, 'etc/opq/sub'), { recursive: true });
  fs.writeFileSync(path.join(d, 'etc/opq/lower1'), '');
  fs.writeFileSync(path.join(d, 'etc/opq/sub/lower2'), '');
  fs.writeFileSync(path.join(d, 'etc/gone'), '');
  fs.mkdirSync(path.join(d, 'gonedir/x'), { recursive: true });
  fs.mkdirSync(path.join(d, 'opq2'));
  fs.writeFileSync(path.join(d, 'opq2/lower'), '');
  await run(e, [
    { path: 'etc/opq/new-before', type: 'file', data: 'n' },
    { path: 'etc/opq/sub/new-deep', type: 'file', data: 'n' },
    { path: 'etc/opq/.wh..wh..opq', type: 'file', data: '' },
    { path: 'etc/opq/new-after', type: 'file', data: 'n' },
    { path: 'etc/.wh.gone', type: 'file', data: '' },
    { path: '.wh.gonedir', type: 'file', data: '' },
    { path: 'opq2/.wh..wh..opq', type: 'file', data: '' },
    { path: 'nothere/.wh.x', type: 'file', data: '' },
    { path: 'recreated', type: 'file', data: 'mine' },
    { path: '.wh.recreated', type: 'file', data: '' },
  ]);
  assert.deepEqual(fs.readdirSync(path.join(d, 'etc/opq')).sort(), ['new-after', 'new-before', 'sub']);
  assert.deepEqual(fs.readdirSync(path.join(d, 'etc/opq/sub')), ['new-deep']);
  assert.deepEqual(fs.readdirSync(path.join(d, 'etc')), ['opq']);
  assert.deepEqual(fs.readdirSync(path.join(d, 'opq2')), []);
  assert.ok(!fs.existsSync(path.join(d, 'gonedir')));
  assert.ok(!fs.existsSync(path.join(d, 'nothere')));
  assert.equal(fs.readFileSync(path.join(d, 'recreated'), 'utf8'), 'mine', 'a whiteout only hides lower layers');
  assertSentinelIntact(e);
});

test('overlay whiteouts: 0:0 char devices and trusted.overlay.opaque (root only)', { skip: !isRoot }, async (t) => {
  const e = env(t);
  await run(e, [
    { path: 'a', type: 'dir' },
    { path: 'a/.wh.victim', type: 'file', data: '' },
    { path: 'a/.wh..wh..opq', type: 'file', data: '' },
    { path: 'b/.wh..wh..opq', type: 'file', data: '' },
    { path: 'b', type: 'dir', mode: 0o711 },
    { path: '.wh.reborn', type: 'file', data: '' },
    { path: 'reborn', type: 'dir' },
  ], 'overlay');
  const st = fs.lstatSync(path.join(e.dest, 'a/victim'));
  assert.ok(st.isCharacterDevice());
  assert.equal(st.rdev, 0);
  assert.deepEqual(fs.readdirSync(path.join(e.dest, 'a')), ['victim']);
  assert.equal(lgetxattr(path.join(e.dest, 'a'), 'trusted.overlay.opaque')?.toString(), 'y');
  assert.equal(lgetxattr(path.join(e.dest, 'b'), 'trusted.overlay.opaque')?.toString(), 'y', 'the dir entry after the marker keeps it');
  assert.equal(fs.statSync(path.join(e.dest, 'b')).mode & 0o777, 0o711);
  assert.ok(fs.statSync(path.join(e.dest, 'reborn')).isDirectory());
  assert.equal(lgetxattr(path.join(e.dest, 'reborn'), 'trusted.overlay.opaque')?.toString(), 'y', 'a dir replacing a whiteout hides the lower dir');
});

test('overlay-userxattr whiteouts: user.overlay.opaque', async (t) => {
  const e = env(t);
  try { lsetxattr(e.dest, 'user.probe', Buffer.from('1')); } catch { t.skip('no user xattrs'); return; }
  try {
    await run(e, [{ path: 'a/.wh..wh..opq', type: 'file', data: '' }, { path: 'a/.wh.x', type: 'file', data: '' }], 'overlay-userxattr');
  } catch (err) {
    if (!isRoot && /whiteout device/.test(String(err))) { t.skip('mknod 0:0 not permitted'); return; }
    throw err;
  }
  assert.equal(lgetxattr(path.join(e.dest, 'a'), 'user.overlay.opaque')?.toString(), 'y');
  assert.ok(fs.lstatSync(path.join(e.dest, 'a/x')).isCharacterDevice());
});

test('fuse whiteouts stay .wh. files; an entry recreated in the same layer drops its whiteout', async (t) => {
  const e = env(t);
  await run(e, [
    { path: 'a/.wh.victim', type: 'file', data: '' },
    { path: 'a/.wh..wh..opq', type: 'file', data: '' },
    { path: 'a/kept', type: 'file', data: 'k' },
    { path: '.wh.reborn', type: 'file', data: '' },
    { path: 'reborn', type: 'dir' },
  ], 'fuse');
  assert.deepEqual(fs.readdirSync(path.join(e.dest, 'a')).sort(), ['.wh..wh..opq', '.wh.victim', 'kept']);
  assert.ok(fs.lstatSync(path.join(e.dest, 'a/.wh.victim')).isFile());
  assert.ok(!fs.existsSync(path.join(e.dest, '.wh.reborn')));
  assert.ok(fs.existsSync(path.join(e.dest, 'reborn/.wh..wh..opq')));
});

test('gzip, zstd and plain layer files via openLayerStream', async (t) => {
  const e = env(t);
  const tar = buildTar([{ path: 'big', type: 'file', data: Buffer.alloc(3_000_000, 'abc') }, { path: 'small', type: 'file', data: 's' }]);
  const want = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
  const files: [string, Buffer][] = [['plain', tar], ['gz', zlib.gzipSync(tar)]];
  let haveZstd = true;
  try { files.push(['zst', execFileSync('zstd', ['-q', '-c'], { input: tar, maxBuffer: 1 << 28 })]); } catch { haveZstd = false; }
  for (const [name, data] of files) {
    const f = path.join(e.root, `layer.${name}`);
    fs.writeFileSync(f, data);
    const dest = path.join(e.root, `out-${name}`);
    fs.mkdirSync(dest);
    const res = await extractLayer(await openLayerStream(f), dest, opts(e));
    assert.equal(res.diffId, want, name);
    assert.equal(res.size, tar.length, name);
    assert.equal(fs.statSync(path.join(dest, 'big')).size, 3_000_000);
  }
  for (const [name, data] of files.slice(1)) {
    const bad = path.join(e.root, `bad.${name}`);
    fs.writeFileSync(bad, data.subarray(0, data.length >> 1));
    const dest = path.join(e.root, `out-bad-${name}`);
    fs.mkdirSync(dest);
    await assert.rejects(extractLayer(await openLayerStream(bad), dest, opts(e)), name);
  }
  if (!haveZstd) t.skip('zstd binary not installed');
});

test('malicious: .. escapes are refused', async (t) => {
  for (const name of ['../x', 'a/../../x', '/../x', './../sentinel/etc/passwd']) {
    const e = env(t);
    await assert.rejects(run(e, [{ path: name, type: 'file', data: 'evil' }]), (err: unknown) => unsafe(err) && (err as Error).message === `layer entry "${name}" escapes the layer root`, name);
    assertSentinelIntact(e);
  }
  for (const wh of ['.wh...', 'a/.wh.', '.wh..']) {
    const e = env(t);
    fs.mkdirSync(path.join(e.dest, 'a'));
    await assert.rejects(run(e, [{ path: wh, type: 'file', data: '' }]), unsafe, wh);
    assert.ok(fs.existsSync(path.join(e.dest, 'a')));
    assertSentinelIntact(e);
  }
});

test('malicious: absolute names land inside dest', async (t) => {
  const e = env(t);
  await run(e, [{ path: '/etc/passwd', type: 'file', data: 'layer' }]);
  assert.equal(fs.readFileSync(path.join(e.dest, 'etc/passwd'), 'utf8'), 'layer');
  assertSentinelIntact(e);
});

test('malicious: symlinked parents resolve inside dest', async (t) => {
  const e = env(t);
  await run(e, [
    { path: 'evil', type: 'symlink', linkname: '/' },
    { path: 'evil/etc/x', type: 'file', data: '1' },
    { path: 'up', type: 'symlink', linkname: '../../..' },
    { path: 'up/y', type: 'file', data: '2' },
    { path: 'sent', type: 'symlink', linkname: e.sentinel },
    { path: 'sent/etc/passwd', type: 'file', data: '3' },
    { path: 'rel', type: 'symlink', linkname: '../sentinel' },
    { path: 'rel/etc/passwd', type: 'file', data: '4' },
    { path: 'chain1', type: 'symlink', linkname: 'chain2/..//../..' },
    { path: 'chain2', type: 'symlink', linkname: 'up' },
    { path: 'chain1/z', type: 'file', data: '5' },
  ]);
  assert.equal(fs.readFileSync(path.join(e.dest, 'etc/x'), 'utf8'), '1');
  assert.equal(fs.readFileSync(path.join(e.dest, 'y'), 'utf8'), '2');
  assert.equal(fs.readFileSync(path.join(e.dest, e.sentinel, 'etc/passwd'), 'utf8'), '3');
  assert.equal(fs.readFileSync(path.join(e.dest, 'sentinel/etc/passwd'), 'utf8'), '4');
  assert.equal(fs.readFileSync(path.join(e.dest, 'z'), 'utf8'), '5');
  assert.equal(fs.readlinkSync(path.join(e.dest, 'evil')), '/');
  assertSentinelIntact(e);
});

test('malicious: a symlink replacing a directory, then an entry under it', async (t) => {
  const e = env(t);
  await run(e, [
    { path: 'a', type: 'dir' },
    { path: 'a/f', type: 'file', data: 'f' },
    { path: 'a', type: 'symlink', linkname: e.sentinel },
    { path: 'a/etc/passwd', type: 'file', data: 'pwned' },
    { path: 'a/new', type: 'dir', mode: 0o700, mtime: 1 },
  ]);
  assert.equal(fs.readlinkSync(path.join(e.dest, 'a')), e.sentinel);
  assert.equal(fs.readFileSync(path.join(e.dest, e.sentinel, 'etc/passwd'), 'utf8'), 'pwned');
  assertSentinelIntact(e);
});

test('malicious: a lower-layer symlink is not followed either (vfs)', async (t) => {
  const e = env(t);
  fs.symlinkSync(e.sentinel, path.join(e.dest, 'lowerlink'));
  fs.symlinkSync(path.join(e.sentinel, 'etc/passwd'), path.join(e.dest, 'lowerfile'));
  await run(e, [
    { path: 'lowerlink/etc/passwd', type: 'file', data: 'x' },
    { path: 'lowerfile', type: 'file', data: 'replaces the link, not its target' },
    { path: 'lowerlink/.wh..wh..opq', type: 'file', data: '' },
  ]);
  assert.ok(fs.lstatSync(path.join(e.dest, 'lowerfile')).isFile());
  assertSentinelIntact(e);
});

test('malicious: symlink loops are bounded', async (t) => {
  const e = env(t);
  await assert.rejects(run(e, [
    { path: 'l1', type: 'symlink', linkname: 'l2' },
    { path: 'l2', type: 'symlink', linkname: 'l1' },
    { path: 'l1/x', type: 'file', data: '' },
  ]), (err: unknown) => err instanceof TsmanError && /ELOOP/.test(err.message));
  assertSentinelIntact(e);
});

test('malicious: hardlinks must point at an existing non-directory inside dest', async (t) => {
  const cases: [string, RegExp][] = [
    ['../../etc/passwd', /escapes the layer root/],
    ['../sentinel/etc/passwd', /escapes the layer root/],
    ['/etc/passwd', /does not exist/],
    ['dir', /is a directory/],
    ['/', /layer root/],
  ];
  for (const [target, re] of cases) {
    const e = env(t);
    await assert.rejects(run(e, [{ path: 'dir', type: 'dir' }, { path: 'h', type: 'hardlink', linkname: target }]), re, target);
    assert.ok(!fs.existsSync(path.join(e.dest, 'h')));
    assertSentinelIntact(e);
  }
  // through a symlink to the host: resolved inside dest, where the target does not exist
  const e = env(t);
  await assert.rejects(run(e, [
    { path: 'sl', type: 'symlink', linkname: path.join(e.sentinel, 'etc') },
    { path: 'h', type: 'hardlink', linkname: 'sl/passwd' },
  ]), /does not exist/);
  assertSentinelIntact(e);
  assert.equal(fs.statSync(path.join(e.sentinel, 'etc/passwd')).nlink, 1);
  // a hardlink to a symlink links the symlink itself
  const e2 = env(t);
  await run(e2, [
    { path: 'sl', type: 'symlink', linkname: path.join(e2.sentinel, 'etc/passwd') },
    { path: 'h', type: 'hardlink', linkname: 'sl' },
  ]);
  assert.ok(fs.lstatSync(path.join(e2.dest, 'h')).isSymbolicLink());
  assert.equal(fs.statSync(path.join(e2.sentinel, 'etc/passwd')).nlink, 1);
  assertSentinelIntact(e2);
});

test('device nodes: skipped with a warning when rootless', async (t) => {
  const e = env(t);
  await run(e, [{ path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 }, { path: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 }], 'vfs', { rootless: true });
  assert.ok(!fs.existsSync(path.join(e.dest, 'dev/null')) && !fs.existsSync(path.join(e.dest, 'dev/sda')));
  assert.deepEqual(e.warnings, ['skipping device node "dev/null" in rootless mode', 'skipping device node "dev/sda" in rootless mode']);
});

test('device nodes: created as root (root only)', { skip: !isRoot }, async (t) => {
  const e2 = env(t);
  await run(e2, [{ path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 }]);
  const st = fs.lstatSync(path.join(e2.dest, 'dev/null'));
  assert.ok(st.isCharacterDevice());
  assert.equal(st.mode & 0o777, 0o666);
  assert.equal(st.rdev, (1 << 8) | 3);
});

test('a non-directory entry cannot replace the root; a failing stream rejects', async (t) => {
  const e = env(t);
  await assert.rejects(run(e, [{ path: './', type: 'file', data: 'x' }]), unsafe);
  const src = new Readable({ read() { this.destroy(new Error('boom')); } });
  await assert.rejects(extractLayer(src, e.dest, opts(e)), /boom/);
});

test('GNU long names extract; the diffId covers bytes after the end-of-archive blocks', async (t) => {
  const e = env(t);
  const long = `${'n'.repeat(120)}/${'m'.repeat(130)}`;
  const tar = Buffer.concat([
    buildTar([{ path: long, type: 'file', data: 'gnu' }, { path: 'l', type: 'symlink', linkname: `/${long}` }], { gnuLongNames: true }),
    Buffer.alloc(10240),
  ]);
  const res = await run(e, tar);
  assert.equal(fs.readFileSync(path.join(e.dest, long), 'utf8'), 'gnu');
  assert.equal(fs.readlinkSync(path.join(e.dest, 'l')), `/${long}`);
  assert.equal(res.diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
  assert.equal(res.size, tar.length);
});
