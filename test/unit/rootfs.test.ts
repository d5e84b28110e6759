// Mount destinations, kernel directories and the working directory kept inside a hostile rootfs
// (src/runtime/rootfs.ts): the paths handed to the runtime never go through a symlink.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, lstatSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { confineDestinations, ensureKernelDirs, ensureWorkdir } from '../../src/runtime/rootfs.js';
import { TsmanError } from '../../src/errors.js';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function rootfs(): { root: string; outside: string } {
  const base = mkdtempSync(path.join(tmpdir(), 'tsman-rootfs-'));
  dirs.push(base);
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  mkdirSync(path.join(root, 'run'));
  mkdirSync(outside);
  return { root, outside };
}

test('destinations through absolute and ../ links resolve inside the root', () => {
  const { root, outside } = rootfs();
  symlinkSync(outside, path.join(root, 'data'));
  symlinkSync('../../../../../../..' + outside, path.join(root, 'rel'));
  symlinkSync('/run/resolve/stub.conf', path.join(root, 'etc/resolv.conf'));
  symlinkSync('/', path.join(root, 'up'));
  const m = confineDestinations(root, [
    { destination: '/data/x' }, { destination: '/rel' }, { destination: '/etc/resolv.conf' },
    { destination: '/etc/hosts' }, { destination: '/dev/shm' }, { destination: '/up' }, { destination: '/a/../etc//hostname' },
  ]);
  assert.deepEqual(m.map((x) => x.destination), [
    `${outside}/x`, outside, '/run/resolve/stub.conf', '/etc/hosts', '/dev/shm', '/', '/etc/hostname',
  ]);
  // each is a path of the root, not of the host
  for (const x of m) assert.ok(path.join(root, x.destination).startsWith(root));
});

test('a destination linked onto /proc or /sys is refused', () => {
  const { root } = rootfs();
  symlinkSync('/proc/sysrq-trigger', path.join(root, 'etc/hosts'));
  assert.throws(() => confineDestinations(root, [{ destination: '/etc/hosts' }]), (e: unknown) => e instanceof TsmanError && /symbolic link into \/proc\/sysrq-trigger/.test(e.message));
});

test('symlinked /dev, /proc, /sys are replaced by directories, or refused', () => {
  const { root, outside } = rootfs();
  symlinkSync(outside, path.join(root, 'dev'));
  symlinkSync('../../..' + outside, path.join(root, 'proc'));
  writeFileSync(path.join(root, 'sys'), 'not a dir');
  assert.throws(() => ensureKernelDirs(root, false), /\/proc is a symbolic link|\/dev is a symbolic link/);
  ensureKernelDirs(root, true);
  for (const d of ['dev', 'proc', 'sys']) assert.ok(lstatSync(path.join(root, d)).isDirectory(), d);
  assert.ok(existsSync(outside));
});

test('the working directory is made inside the root; podman errors otherwise', () => {
  const { root, outside } = rootfs();
  symlinkSync(outside, path.join(root, 'work'));
  ensureWorkdir(root, '/work/sub/dir', { create: true, containerId: 'c1', mountDests: [] });
  assert.ok(lstatSync(path.join(root, outside, 'sub/dir')).isDirectory());
  assert.ok(!existsSync(path.join(outside, 'sub')));
  assert.throws(() => ensureWorkdir(root, '/missing', { create: false, containerId: 'c1', mountDests: [] }),
    (e: unknown) => e instanceof TsmanError && e.exitCode === 126 && e.message === 'workdir "/missing" does not exist on container c1');
  writeFileSync(path.join(root, 'etc/file'), '');
  assert.throws(() => ensureWorkdir(root, '/etc/file', { create: true, containerId: 'c1', mountDests: [] }), /exists on container c1, but is not a directory/);
  // on a mount: the runtime's business
  ensureWorkdir(root, '/vol/x', { create: false, containerId: 'c1', mountDests: ['/vol'] });
});
