import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { TarReader, readTar, parsePax, type TarHeader } from '../../src/storage/tar.js';
import { buildTar, encodeHeader, TarWriter, type TarWriteEntry } from '../../src/storage/tarwriter.js';
import { TsmanError } from '../../src/errors.js';

async function* chunks(buf: Buffer, size: number | (() => number)): AsyncGenerator<Buffer> {
  let off = 0;
  while (off < buf.length) {
    const n = typeof size === 'number' ? size : size();
    yield buf.subarray(off, off + n);
    off += n;
  }
}

interface Read { h: TarHeader; data: Buffer }

async function readAll(src: AsyncIterable<Uint8Array>): Promise<Read[]> {
  const out: Read[] = [];
  for await (const e of readTar(src)) {
    const parts: Buffer[] = [];
    for await (const c of e.body()) parts.push(Buffer.from(c));
    out.push({ h: e.header, data: Buffer.concat(parts) });
  }
  return out;
}

const long = `${'d'.repeat(60)}/${'e'.repeat(70)}/${'f'.repeat(90)}/file-${'g'.repeat(120)}.txt`;
const entries: TarWriteEntry[] = [
  { path: 'dir', type: 'dir', mode: 0o2755, uid: 1000, gid: 1001, mtime: 1700000000 },
  { path: 'dir/file', type: 'file', mode: 0o4755, data: 'hello\n', uid: 1, gid: 2, uname: 'bin', gname: 'daemon', mtime: 1700000001 },
  { path: 'dir/empty', type: 'file', data: '' },
  { path: 'dir/link', type: 'symlink', linkname: '/bin/busybox' },
  { path: 'dir/hard', type: 'hardlink', linkname: 'dir/file' },
  { path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
  { path: 'dev/sda', type: 'block', mode: 0o660, devmajor: 8, devminor: 0 },
  { path: 'fifo', type: 'fifo', mode: 0o644 },
  { path: long, type: 'file', data: Buffer.alloc(70000, 7) },
  { path: 'longlink', type: 'symlink', linkname: `/${long}` },
  { path: 'big-ids', type: 'file', data: 'x', uid: 3_000_000_000, gid: 4_000_000, mtime: 1700000000.25 },
  { path: 'ünïcödé/名前', type: 'file', data: 'u' },
  { path: 'xattrs', type: 'file', data: 'x', xattrs: { 'user.a': 'b', 'security.capability': Buffer.from([0x01, 0x00, 0x00, 0x02, 0x0a, 0x3d, 0x00, 0xff]) } },
];

function check(got: Read[], gnu: boolean): void {
  assert.equal(got.length, entries.length);
  const by = new Map(got.map((r) => [r.h.name.replace(/\/$/, ''), r]));
  const d = by.get('dir')!;
  assert.equal(d.h.type, 'dir');
  assert.equal(d.h.mode, 0o2755);
  assert.equal(d.h.uid, 1000);
  assert.equal(d.h.gid, 1001);
  assert.equal(d.h.mtime, 1700000000);
  const f = by.get('dir/file')!;
  assert.equal(f.h.type, 'file');
  assert.equal(f.h.mode, 0o4755);
  assert.equal(f.data.toString(), 'hello\n');
  assert.equal(f.h.uname, 'bin');
  assert.equal(f.h.gname, 'daemon');
  assert.equal(by.get('dir/empty')!.data.length, 0);
  assert.equal(by.get('dir/link')!.h.linkname, '/bin/busybox');
  assert.equal(by.get('dir/hard')!.h.type, 'hardlink');
  assert.equal(by.get('dir/hard')!.h.linkname, 'dir/file');
  const n = by.get('dev/null')!;
  assert.deepEqual([n.h.type, n.h.devmajor, n.h.devminor, n.h.mode], ['char', 1, 3, 0o666]);
  assert.deepEqual([by.get('dev/sda')!.h.type, by.get('dev/sda')!.h.devmajor], ['block', 8]);
  assert.equal(by.get('fifo')!.h.type, 'fifo');
  const l = by.get(long)!;
  assert.ok(l, 'long name survives');
  assert.deepEqual(l.data, Buffer.alloc(70000, 7));
  assert.equal(by.get('longlink')!.h.linkname, `/${long}`);
  assert.ok(by.get('ünïcödé/名前'));
  if (!gnu) {
    const b = by.get('big-ids')!;
    assert.equal(b.h.uid, 3_000_000_000);
    assert.equal(b.h.gid, 4_000_000);
    assert.equal(b.h.mtime, 1700000000.25);
    const x = by.get('xattrs')!;
    assert.equal(x.h.xattrs?.get('user.a')?.toString(), 'b');
    assert.deepEqual(x.h.xattrs?.get('security.capability'), Buffer.from([0x01, 0x00, 0x00, 0x02, 0x0a, 0x3d, 0x00, 0xff]));
  }
}

test('round trip through the writer, PAX long names, any chunking', async () => {
  const tar = buildTar(entries);
  check(await readAll(chunks(tar, tar.length)), false);
  check(await readAll(chunks(tar, 1)), false);
  check(await readAll(chunks(tar, 511)), false);
  let seed = 42;
  check(await readAll(chunks(tar, () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return 1 + (seed % 3000); })), false);
});

test('GNU long names and long links (L/K)', async () => {
  const tar = buildTar(entries, { gnuLongNames: true });
  assert.ok(tar.includes(Buffer.from('././@LongLink')));
  check(await readAll(chunks(tar, 1000)), true);
});

test('reads what GNU tar writes (gnu and pax formats)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsman-tar-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const src = path.join(dir, 'src');
  fs.mkdirSync(path.join(src, path.dirname(long)), { recursive: true });
  fs.writeFileSync(path.join(src, long), 'long\n');
  fs.symlinkSync(`../${'x'.repeat(150)}`, path.join(src, 'sym'));
  fs.writeFileSync(path.join(src, 'a'), 'a');
  fs.linkSync(path.join(src, 'a'), path.join(src, 'b'));
  for (const format of ['gnu', 'pax']) {
    const tar = execFileSync('tar', ['-C', src, `--format=${format}`, '-cf', '-', '.']);
    const got = await readAll(chunks(tar, 4096));
    const names = new Map(got.map((r) => [r.h.name.replace(/^\.\//, '').replace(/\/$/, ''), r]));
    assert.equal(names.get(long)?.data.toString(), 'long\n', format);
    assert.equal(names.get('sym')?.h.linkname, `../${'x'.repeat(150)}`, format);
    const hard = names.get('b')!.h.type === 'hardlink' ? names.get('b')! : names.get('a')!;
    assert.equal(hard.h.type, 'hardlink', format);
  }
});

function rawHeader(name: string, flag: string, size: number, extra: (h: Buffer) => void = () => undefined): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write(flag, 156);
  h.write('ustar\u000000', 257, 'latin1');
  extra(h);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}
const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
function rawEntry(name: string, flag: string, body: Buffer, extra?: (h: Buffer) => void): Buffer {
  return Buffer.concat([rawHeader(name, flag, body.length, extra), body, pad(body.length)]);
}
function paxBody(recs: [string, string | Buffer][]): Buffer {
  return Buffer.concat(recs.map(([k, v]) => {
    const val = typeof v === 'string' ? Buffer.from(v) : v;
    const rest = Buffer.byteLength(k) + val.length + 3;
    let len = rest + 1;
    while (len !== rest + String(len).length) len = rest + String(len).length;
    return Buffer.concat([Buffer.from(`${len} ${k}=`), val, Buffer.from('\n')]);
  }));
}

test('global PAX headers apply to later entries, local ones override', async () => {
  const tar = Buffer.concat([
    rawEntry('pax_global_header', 'g', paxBody([['uname', 'globaluser'], ['mtime', '1234.5']])),
    rawEntry('a', '0', Buffer.from('A')),
    rawEntry('PaxHeaders/b', 'x', paxBody([['uname', 'local'], ['path', 'renamed/b'], ['uid', '70000000'], ['SCHILY.xattr.user.k', 'v=1\nx']])),
    rawEntry('b', '0', Buffer.from('B')),
    rawEntry('c', '0', Buffer.from('C')),
    Buffer.alloc(1024),
  ]);
  const got = await readAll(chunks(tar, 100));
  assert.deepEqual(got.map((r) => r.h.name), ['a', 'renamed/b', 'c']);
  assert.equal(got[0]!.h.uname, 'globaluser');
  assert.equal(got[0]!.h.mtime, 1234.5);
  assert.equal(got[1]!.h.uname, 'local');
  assert.equal(got[1]!.h.uid, 70000000);
  assert.equal(got[1]!.h.xattrs?.get('user.k')?.toString(), 'v=1\nx');
  assert.equal(got[2]!.h.uname, 'globaluser');
  assert.equal(got[2]!.data.toString(), 'C');
});

test('PAX size overrides the header, base-256 numbers, old-style directories', async () => {
  const body = Buffer.alloc(1000, 1);
  const tar = Buffer.concat([
    rawEntry('PaxHeaders/f', 'x', paxBody([['size', '1000']])),
    rawHeader('f', '0', 0), body, pad(1000),
    rawEntry('olddir/', '\0', Buffer.alloc(0)),
    rawEntry('bigid', '0', Buffer.from('z'), (h) => { h.fill(0, 108, 116); h[108] = 0x80; h.writeUInt32BE(5_000_000_000 >>> 0, 112); h[111] = 1; }),
    Buffer.alloc(1024),
  ]);
  const got = await readAll(chunks(tar, 333));
  assert.deepEqual(got[0]!.data, body);
  assert.equal(got[1]!.h.type, 'dir');
  assert.equal(got[2]!.h.uid, 5_000_000_000);
  assert.equal(got[2]!.data.toString(), 'z');
});

test('header-only types carry no body even when size is set', async () => {
  const tar = Buffer.concat([rawHeader('d', '5', 1024), rawEntry('f', '0', Buffer.from('F')), Buffer.alloc(1024)]);
  const got = await readAll(chunks(tar, 512));
  assert.deepEqual(got.map((r) => r.h.name), ['d', 'f']);
  assert.equal(got[1]!.data.toString(), 'F');
});

test('bad checksum, truncation and sparse files are errors', async () => {
  const good = buildTar([{ path: 'a', type: 'file', data: 'x'.repeat(2000) }]);
  const bad = Buffer.from(good);
  bad[0] = 0x62; // 'b' without fixing the checksum
  await assert.rejects(readAll(chunks(bad, 512)), (e: unknown) => e instanceof TsmanError && e.code === 'EFORMAT' && /checksum/.test(e.message));
  await assert.rejects(readAll(chunks(good.subarray(0, 1000), 512)), (e: unknown) => e instanceof TsmanError && /unexpected end/.test(e.message));
  await assert.rejects(readAll(chunks(rawEntry('s', 'S', Buffer.alloc(0)), 512)), (e: unknown) => e instanceof TsmanError && e.code === 'EUNSUPPORTED');
  await assert.rejects(readAll(chunks(rawEntry('PaxHeaders/x', 'x', Buffer.from('99 path=x\n')), 512)), /pax/);
});

test('a stream without end-of-archive blocks ends cleanly; trailing bytes are consumed', async () => {
  const tar = buildTar([{ path: 'a', type: 'file', data: 'x' }]);
  const noEnd = tar.subarray(0, tar.length - 1024);
  assert.equal((await readAll(chunks(noEnd, 100))).length, 1);
  const withJunk = Buffer.concat([tar, Buffer.alloc(10240)]);
  let seen = 0;
  const r = new TarReader(chunks(withJunk, 700), (c) => { seen += c.length; });
  while (await r.next());
  await r.drain();
  assert.equal(seen, withJunk.length);
  assert.equal(r.bytes, withJunk.length);
});

test('parsePax keeps binary values', () => {
  const m = parsePax(paxBody([['SCHILY.xattr.user.bin', Buffer.from([0, 10, 61, 255])], ['path', 'p']]));
  assert.deepEqual(m.get('SCHILY.xattr.user.bin'), Buffer.from([0, 10, 61, 255]));
  assert.equal(m.get('path')?.toString(), 'p');
});

test('TarWriter streams bodies and checks their size', async () => {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (c: Buffer) => parts.push(c));
  const ended = new Promise((r) => out.on('end', r));
  const w = new TarWriter(out);
  await w.add({ path: 'big', type: 'file', size: 300000 }, chunks(Buffer.alloc(300000, 9), 65536));
  await w.add({ path: 'd', type: 'dir' });
  await w.finish();
  await ended;
  const got = await readAll(chunks(Buffer.concat(parts), 4096));
  assert.equal(got.length, 2);
  assert.deepEqual(got[0]!.data, Buffer.alloc(300000, 9));
  assert.equal(got[1]!.h.type, 'dir');

  const sink = new PassThrough();
  sink.resume();
  const w2 = new TarWriter(sink);
  await assert.rejects(w2.add({ path: 'short', type: 'file', size: 10 }, chunks(Buffer.alloc(5), 5)), /declared/);
  await assert.rejects(w2.add({ path: 'long', type: 'file', size: 1 }, chunks(Buffer.alloc(5), 5)), /longer/);
  assert.ok(encodeHeader({ path: 'x'.repeat(300), type: 'file' }).length > 512);
});
