// --user / --group-add resolution; the expected values are what podman 4.3.1 put in config.json for
// the same flags on an image with these passwd and group files.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { resolveUser, secureJoin, parsePasswd, parseGroup } from '../../src/runtime/users.js';
import { TsmanError } from '../../src/errors.js';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'tsuser:x:1000:1000:tsman test user:/home/tsuser:/bin/sh',
  'nobody:x:65534:65534:nobody:/home:/bin/false',
  '',
].join('\n');
const GROUP = ['root:x:0:', 'tsuser:x:1000:', 'tsgroup:x:2000:tsuser', 'nogroup:x:65534:', ''].join('\n');

function rootfs(files: Record<string, string> = { 'etc/passwd': PASSWD, 'etc/group': GROUP }): string {
  const d = mkdtempSync(path.join(tmpdir(), 'tsman-users-'));
  dirs.push(d);
  const r = path.join(d, 'rootfs');
  mkdirSync(path.join(r, 'etc'), { recursive: true });
  for (const [p, c] of Object.entries(files)) writeFileSync(path.join(r, p), c);
  return r;
}

test('podman 4.3 parity table', async () => {
  const r = rootfs();
  const cases: Array<[string | undefined, string[], { uid: number; gid: number; additionalGids: number[]; home?: string }]> = [
    [undefined, [], { uid: 0, gid: 0, additionalGids: [], home: '/root' }],
    ['0', [], { uid: 0, gid: 0, additionalGids: [0], home: '/root' }],
    ['0:0', [], { uid: 0, gid: 0, additionalGids: [0], home: '/root' }],
    ['root', [], { uid: 0, gid: 0, additionalGids: [0], home: '/root' }],
    ['1000:1000', [], { uid: 1000, gid: 1000, additionalGids: [1000], home: '/home/tsuser' }],
    ['1000:2000', [], { uid: 1000, gid: 2000, additionalGids: [2000], home: '/home/tsuser' }],
    ['tsuser', [], { uid: 1000, gid: 1000, additionalGids: [1000, 2000], home: '/home/tsuser' }],
    ['1000', [], { uid: 1000, gid: 1000, additionalGids: [1000, 2000], home: '/home/tsuser' }],
    ['tsuser:tsgroup', [], { uid: 1000, gid: 2000, additionalGids: [2000], home: '/home/tsuser' }],
    ['65534', [], { uid: 65534, gid: 65534, additionalGids: [65534], home: '/home' }],
    ['nobody', [], { uid: 65534, gid: 65534, additionalGids: [65534], home: '/home' }],
    ['1234', [], { uid: 1234, gid: 0, additionalGids: [0] }],
    ['1234:5678', [], { uid: 1234, gid: 5678, additionalGids: [5678] }],
    [undefined, ['2000'], { uid: 0, gid: 0, additionalGids: [2000], home: '/root' }],
    ['1000', ['tsgroup'], { uid: 1000, gid: 1000, additionalGids: [1000, 2000], home: '/home/tsuser' }],
    ['1000', ['65534'], { uid: 1000, gid: 1000, additionalGids: [1000, 65534, 2000], home: '/home/tsuser' }],
    ['1000', ['nogroup', '4242'], { uid: 1000, gid: 1000, additionalGids: [1000, 65534, 4242, 2000], home: '/home/tsuser' }],
  ];
  for (const [spec, groupAdd, want] of cases) {
    const got = await resolveUser(r, spec, groupAdd);
    assert.deepEqual({ uid: got.uid, gid: got.gid, additionalGids: got.additionalGids, home: got.home }, { home: undefined, ...want }, `--user ${spec} --group-add ${groupAdd.join(',')}`);
  }
});

test('missing names fail with podman\'s wording (exit 125)', async () => {
  const r = rootfs();
  await assert.rejects(resolveUser(r, 'nosuch', []), (e: unknown) =>
    e instanceof TsmanError && e.code === 'EUSAGE' && e.exitCode === 125 && e.message === 'unable to find user nosuch: no matching entries in passwd file');
  await assert.rejects(resolveUser(r, '1000:nosuch', []), /^TsmanError: unable to find group nosuch: no matching entries in group file$/);
  await assert.rejects(resolveUser(r, '1000', ['nosuch']), /unable to find group nosuch: no matching entries in group file/);
  await assert.rejects(resolveUser(r, '99999999999', []), /uids and gids must be in range 0-2147483647/);
});

test('no passwd or group file: numeric ids still work, names do not', async () => {
  const r = rootfs({});
  assert.deepEqual(await resolveUser(r, undefined, []), { uid: 0, gid: 0, additionalGids: [] });
  assert.deepEqual(await resolveUser(r, '10:20', ['30']), { uid: 10, gid: 20, additionalGids: [20, 30] });
  await assert.rejects(resolveUser(r, 'root', []), /unable to find user root/);
});

test('symlinks in the image never lead out of the rootfs', async () => {
  // An absolute symlink to /etc/passwd must mean the rootfs' own file, not the host's.
  const r = rootfs({ 'etc/real-passwd': 'evil:x:4242:4242::/evil:/bin/sh\n' });
  symlinkSync('/etc/real-passwd', path.join(r, 'etc', 'passwd'));
  assert.equal((await resolveUser(r, 'evil', [])).uid, 4242);
  await assert.rejects(resolveUser(r, 'root', []), /unable to find user root/, 'the host passwd was read');

  // "..": clamped at the rootfs, so this is the rootfs' /etc/group (the host's would have root:x:0:).
  const r2 = rootfs({ 'etc/group': 'grp:x:77:77::/:/bin/sh\n' });
  symlinkSync('../../../../../../../../etc/group', path.join(r2, 'etc', 'passwd'));
  assert.equal((await resolveUser(r2, 'grp', [])).uid, 77);
  await assert.rejects(resolveUser(r2, 'root', []), /unable to find user root/);

  const r3 = rootfs({});
  rmSync(path.join(r3, 'etc'), { recursive: true });
  symlinkSync('/', path.join(r3, 'etc'));
  await assert.rejects(resolveUser(r3, 'root', []), /unable to find user root/);

  const r4 = rootfs({});
  symlinkSync('passwd', path.join(r4, 'etc', 'passwd'));
  await assert.rejects(resolveUser(r4, 'root', []), /too many levels of symbolic links/);
});

test('a FIFO or directory as /etc/passwd is ignored, not waited on', async () => {
  const r = rootfs({ 'etc/group': GROUP });
  execFileSync('mkfifo', [path.join(r, 'etc', 'passwd')]);
  assert.equal((await resolveUser(r, '1000', [])).home, undefined);
  const r2 = rootfs({});
  mkdirSync(path.join(r2, 'etc', 'passwd'));
  assert.equal((await resolveUser(r2, undefined, [])).uid, 0);
});

test('secureJoin', async () => {
  const r = rootfs({});
  mkdirSync(path.join(r, 'a', 'b'), { recursive: true });
  symlinkSync('/a', path.join(r, 'abs'));
  symlinkSync('../../..', path.join(r, 'a', 'up'));
  assert.equal(await secureJoin(r, '/abs/b'), path.join(r, 'a', 'b'));
  assert.equal(await secureJoin(r, 'a/up/etc'), path.join(r, 'etc'));
  assert.equal(await secureJoin(r, '../../etc/passwd'), path.join(r, 'etc', 'passwd'));
  assert.equal(await secureJoin(r, '/nonexistent/../x'), path.join(r, 'x'));
});

test('passwd and group parsing', () => {
  assert.deepEqual(parsePasswd('# comment\n\nu:x:5:6:g:/h:/s\nshort:x:7\n'), [
    { name: 'u', uid: 5, gid: 6, home: '/h', shell: '/s' },
    { name: 'short', uid: 7, gid: 0, home: '', shell: '' },
  ]);
  assert.deepEqual(parseGroup('g:x:9:a, b,,c\n'), [{ name: 'g', gid: 9, members: ['a', 'b', 'c'] }]);
});
