import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import {
  authFilePath, authFilePaths, getCredentials, setCredentials, removeCredentials, removeAll, listAuthKeys,
} from '../../src/image/authfile.js';
import type { AuthFileOptions } from '../../src/image/authfile.js';
import { TsmanError } from '../../src/errors.js';

let dir: string;
let n = 0;
/** A fresh home and runtime dir per test, so that nothing real is read. */
async function sandbox(extraEnv: NodeJS.ProcessEnv = {}): Promise<AuthFileOptions & { home: string; env: NodeJS.ProcessEnv }> {
  const root = path.join(dir, String(++n));
  const home = path.join(root, 'home');
  const run = path.join(root, 'run');
  await fsp.mkdir(home, { recursive: true });
  await fsp.mkdir(run, { recursive: true });
  return { home, env: { HOME: home, XDG_RUNTIME_DIR: run, ...extraEnv } };
}
const b64 = (s: string) => Buffer.from(s).toString('base64');

before(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tsman-authfile-test-'));
});
after(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('auth file location', () => {
  it('follows --authfile, REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, /run/containers/0 for root', () => {
    assert.equal(authFilePath({ authfile: '/a.json', env: { REGISTRY_AUTH_FILE: '/b.json', XDG_RUNTIME_DIR: '/run/user/1' } }), '/a.json');
    assert.equal(authFilePath({ env: { REGISTRY_AUTH_FILE: '/b.json', XDG_RUNTIME_DIR: '/run/user/1' } }), '/b.json');
    assert.equal(authFilePath({ env: { XDG_RUNTIME_DIR: '/run/user/1000' } }), '/run/user/1000/containers/auth.json');
    assert.equal(authFilePath({ env: {}, uid: 0 }), '/run/containers/0/auth.json');
    assert.deepEqual(authFilePaths({ env: { XDG_RUNTIME_DIR: '/r' }, home: '/h' }).map((p) => p.path), [
      '/r/containers/auth.json', '/h/.config/containers/auth.json', '/h/.docker/config.json', '/h/.dockercfg',
    ]);
    assert.deepEqual(authFilePaths({ env: { XDG_RUNTIME_DIR: '/r', XDG_CONFIG_HOME: '/c', DOCKER_CONFIG: '/d' }, home: '/h' }).map((p) => p.path), [
      '/r/containers/auth.json', '/c/containers/auth.json', '/d/config.json', '/h/.dockercfg',
    ]);
  });
});

describe('a rootless user without XDG_RUNTIME_DIR (su -, sudo -iu, cron)', () => {
  /** a user with no /run/user/<uid> (a made-up uid when the test runs as root), runtime dirs under a sandbox */
  async function loginUser(): Promise<AuthFileOptions & { env: NodeJS.ProcessEnv; uid: number; tmpDir: string; home: string }> {
    const root = path.join(dir, String(++n));
    const home = path.join(root, 'home');
    const tmpDir = path.join(root, 'tmp');
    await fsp.mkdir(home, { recursive: true });
    await fsp.mkdir(tmpDir, { recursive: true });
    const me = process.getuid!();
    const uid = me === 0 ? 4242 : me;
    if (me === 0) {
      // the runtime dir as the user would have made it: theirs, 0700
      await fsp.mkdir(path.join(tmpDir, `tsman-run-${uid}`), { mode: 0o700 });
      await fsp.chown(path.join(tmpDir, `tsman-run-${uid}`), uid, uid);
    }
    return { env: { HOME: home, TMPDIR: tmpDir }, uid, tmpDir, home };
  }

  it('logs in to the runtime dir tsman falls back to, not root\'s /run/containers/<uid>', async () => {
    const o = await loginUser();
    const want = path.join(o.tmpDir, `tsman-run-${o.uid}`, 'containers', 'auth.json');
    assert.equal(authFilePath(o), want);
    const file = await setCredentials('127.0.0.1:5001', 'user', 'pass', o);
    assert.equal(file, want);
    assert.deepEqual(await getCredentials('127.0.0.1:5001/tsman/busybox', o), { username: 'user', password: 'pass' });
  });

  it('reads the logins podman keeps in its fallback, os.TempDir()/podman-run-<uid>', async () => {
    const o = await loginUser();
    const podman = path.join(o.tmpDir, `podman-run-${o.uid}`, 'containers', 'auth.json');
    assert.deepEqual(authFilePaths(o).map((p) => p.path), [
      path.join(o.tmpDir, `tsman-run-${o.uid}`, 'containers', 'auth.json'), podman,
      path.join(o.home, '.config/containers/auth.json'), path.join(o.home, '.docker/config.json'), path.join(o.home, '.dockercfg'),
    ]);
    await fsp.mkdir(path.dirname(podman), { recursive: true });
    await fsp.writeFile(podman, JSON.stringify({ auths: { 'reg.example:5000': { auth: b64('pu:pp') } } }));
    assert.deepEqual(await getCredentials('reg.example:5000/a/b', o), { username: 'pu', password: 'pp' });
    // tsman's own login wins over podman's
    await setCredentials('reg.example:5000', 'tu', 'tp', o);
    assert.deepEqual(await getCredentials('reg.example:5000/a/b', o), { username: 'tu', password: 'tp' });
    // with XDG_RUNTIME_DIR podman has no fallback either: the file is not read
    assert.ok(!authFilePaths({ ...o, env: { ...o.env, XDG_RUNTIME_DIR: '/r' } }).some((p) => p.path === podman));
    assert.ok(!authFilePaths({ ...o, env: { ...o.env, REGISTRY_AUTH_FILE: '/x.json' } }).some((p) => p.path === podman));
  });
});

describe('credentials', () => {
  it('writes podman\'s format with mode 0600 and reads it back', async () => {
    const o = await sandbox();
    const file = await setCredentials('quay.io', 'user', 'p:a:ss', o);
    assert.equal(file, path.join(o.env.XDG_RUNTIME_DIR!, 'containers', 'auth.json'));
    assert.equal((await fsp.stat(file)).mode & 0o777, 0o600);
    assert.equal(await fsp.readFile(file, 'utf8'), `{\n\t"auths": {\n\t\t"quay.io": {\n\t\t\t"auth": "${b64('user:p:a:ss')}"\n\t\t}\n\t}\n}`);
    assert.deepEqual(await getCredentials('quay.io', o), { username: 'user', password: 'p:a:ss' });
    assert.deepEqual(await getCredentials('quay.io/org/img', o), { username: 'user', password: 'p:a:ss' });
    assert.equal(await getCredentials('docker.io', o), undefined);
  });

  it('prefers the most specific repository key', async () => {
    const o = await sandbox();
    await setCredentials('quay.io', 'u1', 'p1', o);
    await setCredentials('quay.io/org', 'u2', 'p2', o);
    await setCredentials('quay.io/org/img', 'u3', 'p3', o);
    assert.equal((await getCredentials('quay.io/org/img', o) as { username: string }).username, 'u3');
    assert.equal((await getCredentials('quay.io/org/other', o) as { username: string }).username, 'u2');
    assert.equal((await getCredentials('quay.io/elsewhere/img', o) as { username: string }).username, 'u1');
    assert.equal((await getCredentials('quay.io', o) as { username: string }).username, 'u1');
    assert.deepEqual((await listAuthKeys(o)).sort(), ['quay.io', 'quay.io/org', 'quay.io/org/img']);
  });

  it('honours REGISTRY_AUTH_FILE and --authfile', async () => {
    const o = await sandbox();
    const envFile = path.join(o.home, 'env-auth.json');
    const o2 = { ...o, env: { ...o.env, REGISTRY_AUTH_FILE: envFile } };
    await setCredentials('r.example', 'a', 'b', o2);
    assert.ok(JSON.parse(await fsp.readFile(envFile, 'utf8')).auths['r.example']);
    const explicit = path.join(o.home, 'sub', 'explicit.json');
    await setCredentials('r.example', 'c', 'd', { ...o2, authfile: explicit });
    assert.deepEqual(await getCredentials('r.example', { ...o2, authfile: explicit }), { username: 'c', password: 'd' });
    assert.deepEqual(await getCredentials('r.example', o2), { username: 'a', password: 'b' });
  });

  it('falls back to ~/.config/containers/auth.json and ~/.docker/config.json with legacy keys', async () => {
    const o = await sandbox();
    await fsp.mkdir(path.join(o.home, '.docker'));
    await fsp.writeFile(path.join(o.home, '.docker', 'config.json'), JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:secret') },
        'https://legacy.example:5000/v1/': { auth: b64('leg:acy') },
        'tok.example': { auth: b64('tokuser:'), identitytoken: 'refresh' },
        'broken.example': { auth: b64('no-colon') },
      },
      credHelpers: {},
    }));
    assert.deepEqual(await getCredentials('docker.io/library/busybox', o), { username: 'hub', password: 'secret' });
    assert.deepEqual(await getCredentials('docker.io', o), { username: 'hub', password: 'secret' });
    assert.deepEqual(await getCredentials('legacy.example:5000', o), { username: 'leg', password: 'acy' });
    assert.deepEqual(await getCredentials('tok.example/x', o), { identityToken: 'refresh', username: 'tokuser' });
    assert.equal(await getCredentials('broken.example', o), undefined);

    await fsp.mkdir(path.join(o.home, '.config', 'containers'), { recursive: true });
    await fsp.writeFile(path.join(o.home, '.config', 'containers', 'auth.json'), JSON.stringify({ auths: { 'docker.io': { auth: b64('cfg:home') } } }));
    assert.deepEqual(await getCredentials('docker.io', o), { username: 'cfg', password: 'home' });
    await setCredentials('docker.io', 'run', 'time', o);
    assert.deepEqual(await getCredentials('docker.io/library/alpine', o), { username: 'run', password: 'time' });
    await fsp.writeFile(path.join(o.home, '.dockercfg'), JSON.stringify({ 'https://old.example/v1/': { auth: b64('old:cfg') } }));
    assert.deepEqual(await getCredentials('old.example', o), { username: 'old', password: 'cfg' });
  });

  it('removes one entry or all of them, keeping other content', async () => {
    const o = await sandbox();
    const file = await setCredentials('quay.io', 'u', 'p', o);
    const doc = JSON.parse(await fsp.readFile(file, 'utf8'));
    doc.auths['https://index.docker.io/v1/'] = { auth: b64('a:b') };
    doc.other = 'kept';
    await fsp.writeFile(file, JSON.stringify(doc));
    await removeCredentials('quay.io', o);
    assert.equal(await getCredentials('quay.io', o), undefined);
    await assert.rejects(removeCredentials('quay.io', o), (err: unknown) =>
      err instanceof TsmanError && err.code === 'ENOTFOUND' && err.message === 'not logged into quay.io');
    await removeCredentials('docker.io', o);
    await setCredentials('a.example', 'u', 'p', o);
    await removeAll(o);
    const after = JSON.parse(await fsp.readFile(file, 'utf8'));
    assert.deepEqual(after.auths, {});
    assert.equal(after.other, 'kept');
  });

  it('reports a broken file', async () => {
    const o = await sandbox();
    const file = authFilePath(o);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, '{not json');
    await assert.rejects(getCredentials('quay.io', o), (err: unknown) =>
      err instanceof TsmanError && err.code === 'ECONFIG' && err.message.startsWith(`reading JSON file "${file}"`));
  });
});
