// The cgroupfs CgroupManager (src/cgroupv2/cgroupfs.ts): the spec's cgroup part, podman's refusals
// where containers have no cgroup, stats read from a cgroup tree, and freeze/thaw/kill-all acting
// through the runtime. A temporary directory stands in for /sys/fs/cgroup (a v1 layout: it is no
// cgroup2 mount).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CgroupfsManager, cgroupfsSpec } from '../../src/cgroupv2/cgroupfs.js';
import type { CgroupRuntime } from '../../src/cgroupv2/manager.js';
import { TsmanError } from '../../src/errors.js';

const ID = 'c0ffee';

function fakeRoot(): string {
  const root = fs.mkdtempSync(path.join(tmpdir(), 'tsman-cgroupfs-'));
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  put(`pids/tsman/${ID}/pids.current`, '3\n');
  put(`memory/tsman/${ID}/memory.usage_in_bytes`, '716800\n');
  put(`cpuacct/tsman/${ID}/cpuacct.usage`, '17664438\n');
  return root;
}

function recorder(): CgroupRuntime & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pause: async (id) => { calls.push(`pause ${id}`); },
    resume: async (id) => { calls.push(`resume ${id}`); },
    kill: async (id, sig, all) => { calls.push(`kill ${all ? '--all ' : ''}${id} ${sig}`); },
  };
}

test('spec: root gets the devices rule, pids.max and the cgroupsPath; rootless empty resources and no path', () => {
  const root: Record<string, unknown> = {};
  new CgroupfsManager({ rootless: false }).applyToSpec(root, ID, { privileged: false });
  assert.deepEqual(root, { resources: { devices: [{ allow: false, access: 'rwm' }], pids: { limit: 2048 } }, cgroupsPath: `/tsman/${ID}` });
  assert.deepEqual(Object.keys(root), ['resources', 'cgroupsPath']);
  const priv: Record<string, unknown> = {};
  new CgroupfsManager({ rootless: false }).applyToSpec(priv, ID, { privileged: true, pidsLimit: 0 });
  assert.deepEqual(priv['resources'], { devices: [{ allow: true, access: 'rwm' }] });
  const rl: Record<string, unknown> = {};
  new CgroupfsManager({ rootless: true }).applyToSpec(rl, ID, { privileged: true, pidsLimit: 100 });
  assert.deepEqual(rl, { resources: {} });
  // the pure form the spec generator uses: a path given for a rootless container is dropped
  const l: Record<string, unknown> = {};
  cgroupfsSpec(l, { rootless: true, privileged: false, cgroupsPath: '/x' });
  assert.deepEqual(l, { resources: {} });
  assert.equal(new CgroupfsManager({ rootless: false }).cgroupsPath(ID), `/tsman/${ID}`);
  assert.equal(new CgroupfsManager({ rootless: true }).cgroupsPath(ID), undefined);
});

test('rootless on cgroup v1: refused with podman\'s messages, the runtime never asked', async () => {
  const root = fakeRoot();
  try {
    const m = new CgroupfsManager({ rootless: true, root });
    assert.equal(m.detect().layout, 'legacy');
    const rt = recorder();
    const refused = (op: string, message: string) => (err: unknown) => {
      assert.ok(err instanceof TsmanError, op);
      assert.equal(err.message, message);
      assert.equal(err.code, 'EUNSUPPORTED');
      return true;
    };
    await assert.rejects(m.freeze(ID, rt), refused('pause', 'can not pause containers on rootless containers with cgroup V1: this container does not have a cgroup'));
    await assert.rejects(m.thaw(ID, rt), refused('unpause', 'unpause is not supported for cgroupv1 rootless containers'));
    await assert.rejects(m.killAll(ID, 'KILL', rt), refused('kill-all', 'can not signal all the processes of rootless containers with cgroup V1: this container does not have a cgroup'));
    assert.throws(() => m.stats(ID), refused('stats', 'stats is not supported in rootless mode without cgroups v2'));
    assert.equal(m.refusal('pause')?.message, 'can not pause containers on rootless containers with cgroup V1: this container does not have a cgroup');
    assert.deepEqual(rt.calls, []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('root: stats from the v1 controllers\' files, freeze/thaw/kill-all through the runtime', async () => {
  const root = fakeRoot();
  try {
    const m = new CgroupfsManager({ rootless: false, root });
    for (const op of ['pause', 'unpause', 'stats', 'kill-all'] as const) assert.equal(m.refusal(op), undefined);
    assert.deepEqual(m.stats(ID), { pids: 3, memoryBytes: 716800, cpuNanos: 17664438 });
    // a container without the counters (gone, or a controller not mounted): nothing made up
    assert.deepEqual(m.stats('other'), {});
    const rt = recorder();
    await m.freeze(ID, rt);
    await m.thaw(ID, rt);
    await m.killAll(ID, 'TERM', rt);
    assert.deepEqual(rt.calls, [`pause ${ID}`, `resume ${ID}`, `kill --all ${ID} TERM`]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('this host: the manager\'s detection is detect.ts\'s, and rootless is refused unless unified', () => {
  const root = new CgroupfsManager({ rootless: false });
  assert.equal(root.refusal('pause'), undefined);
  const rl = new CgroupfsManager({ rootless: true });
  assert.ok(rl.refusal('pause') instanceof TsmanError);
  if (rl.detect().layout !== 'unified') assert.match(rl.refusal('unpause')!.message, /cgroupv1 rootless/);
});
