import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseSubIdFile, parsePasswd, buildIdMap, idMapArgs, idMapSize, readSubIds } from '../../src/userns/subid.js';
import { getIdMappings } from '../../src/userns/index.js';
import { TsmanError } from '../../src/errors.js';

const FILE = `# comment line
alice:100000:65536

bob:165536:65536
1001:300000:1000
alice:500000:10
  # indented comment
broken line
alice:x:100
alice:200:
alice:-5:10
alice:600000:0
alice:1:2:3
alice:4294967290:100
alice:700000:5
`;

test('ranges of a user by name, in file order, malformed lines skipped', () => {
  assert.deepEqual(parseSubIdFile(FILE, { uid: 1000, name: 'alice' }), [
    { start: 100000, count: 65536 },
    { start: 500000, count: 10 },
    { start: 700000, count: 5 },
  ]);
});

test('a numeric owner matches the uid; name and uid lines combine', () => {
  assert.deepEqual(parseSubIdFile(FILE, { uid: 1001, name: 'carol' }), [{ start: 300000, count: 1000 }]);
  assert.deepEqual(parseSubIdFile('carol:1:2\n1001:3:4\n', { uid: 1001, name: 'carol' }), [
    { start: 1, count: 2 },
    { start: 3, count: 4 },
  ]);
});

test('a user without a passwd name matches only by uid', () => {
  assert.deepEqual(parseSubIdFile(FILE, { uid: 1001 }), [{ start: 300000, count: 1000 }]);
  assert.deepEqual(parseSubIdFile(FILE, { uid: 4242 }), []);
});

test('no ranges for an unknown user or an empty file; CRLF tolerated', () => {
  assert.deepEqual(parseSubIdFile(FILE, { uid: 7, name: 'nobody' }), []);
  assert.deepEqual(parseSubIdFile('', { uid: 7, name: 'x' }), []);
  assert.deepEqual(parseSubIdFile('x:10:20\r\n', { uid: 7, name: 'x' }), [{ start: 10, count: 20 }]);
});

test('a prefix of a name does not match', () => {
  assert.deepEqual(parseSubIdFile('alice2:1:2\nalic:3:4\n', { uid: 1, name: 'alice' }), []);
});

test('readSubIds: a missing file has no ranges', () => {
  assert.deepEqual(readSubIds('/nonexistent/subuid', { uid: 1, name: 'a' }), []);
});

test('passwd lookup by name and by uid', () => {
  const pw = 'root:x:0:0:root:/root:/bin/bash\n# c\nbad\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/sh\nbob:x:1001:100::/home/bob:/bin/sh\n';
  assert.deepEqual(parsePasswd(pw, 'alice'), { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice' });
  assert.deepEqual(parsePasswd(pw, 1001), { name: 'bob', uid: 1001, gid: 100, home: '/home/bob' });
  assert.equal(parsePasswd(pw, 5), undefined);
  assert.equal(parsePasswd(pw, 'carol'), undefined);
});

test('id map: the user at 0, then every range contiguous after it', () => {
  const map = buildIdMap(1000, [{ start: 100000, count: 65536 }, { start: 500000, count: 10 }]);
  assert.deepEqual(map, [
    { containerId: 0, hostId: 1000, size: 1 },
    { containerId: 1, hostId: 100000, size: 65536 },
    { containerId: 65537, hostId: 500000, size: 10 },
  ]);
  assert.deepEqual(idMapArgs(map), ['0', '1000', '1', '1', '100000', '65536', '65537', '500000', '10']);
  assert.equal(idMapSize(map), 65547);
});

test('id map: ranges beyond the u32 space are clipped', () => {
  const map = buildIdMap(1, [{ start: 10, count: 4294967000 }, { start: 5, count: 1000 }]);
  assert.equal(map.length, 3);
  assert.equal(idMapSize(map), 4294967295);
});

test('getIdMappings from injected files, and the error for a user without ranges', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'subid-'));
  try {
    const passwdFile = path.join(dir, 'passwd');
    const subuidFile = path.join(dir, 'subuid');
    const subgidFile = path.join(dir, 'subgid');
    writeFileSync(passwdFile, 'u1:x:2000:2001::/home/u1:/bin/sh\nu2:x:2002:2002::/:/bin/sh\n');
    writeFileSync(subuidFile, 'u1:100000:65536\n2000:300000:5\nu2:1:1\n');
    writeFileSync(subgidFile, 'u1:200000:1000\n');
    const files = { passwdFile, subuidFile, subgidFile };
    assert.deepEqual(getIdMappings('u1', files), {
      uidMap: [
        { containerId: 0, hostId: 2000, size: 1 },
        { containerId: 1, hostId: 100000, size: 65536 },
        { containerId: 65537, hostId: 300000, size: 5 },
      ],
      gidMap: [
        { containerId: 0, hostId: 2001, size: 1 },
        { containerId: 1, hostId: 200000, size: 1000 },
      ],
    });
    assert.deepEqual(getIdMappings(2000, files).uidMap[2], { containerId: 65537, hostId: 300000, size: 5 });
    assert.throws(() => getIdMappings(3000, files), (e: unknown) => e instanceof TsmanError && e.code === 'EUSERNS' &&
      e.exitCode === 125 && e.message === `cannot find UID/GID for user 3000: no subuid ranges found for user "3000" in ${subuidFile} - check rootless mode in man pages`);
    assert.throws(() => getIdMappings('u2', files), (e: unknown) => e instanceof TsmanError &&
      e.message.includes(`no subgid ranges found for user "u2" in ${subgidFile}`));
    assert.throws(() => getIdMappings('ghost', files), /user not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
