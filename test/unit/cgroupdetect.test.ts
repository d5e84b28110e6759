// Cgroup detection (src/cgroupv2/detect.ts): the parsers on fixed inputs, the layout on this host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { v1Controllers, ownCgroup2Path, cgroupLayout, cgroupVersion, detectCgroups } from '../../src/cgroupv2/detect.js';

const PROC_CGROUPS = `#subsys_name\thierarchy\tnum_cgroups\tenabled
cpuset\t3\t9\t1
cpu\t1\t9\t1
cpuacct\t2\t9\t1
blkio\t7\t9\t1
memory\t4\t410\t1
devices\t5\t9\t1
freezer\t6\t9\t1
net_cls\t0\t8\t1
hugetlb\t0\t8\t1
pids\t8\t9\t1
rdma\t9\t1\t0
`;

test('v1 controllers: mounted (hierarchy > 0) and enabled, in /proc/cgroups order (podman info)', () => {
  assert.deepEqual(v1Controllers(PROC_CGROUPS), ['cpuset', 'cpu', 'cpuacct', 'blkio', 'memory', 'devices', 'freezer', 'pids']);
  assert.deepEqual(v1Controllers(''), []);
});

test('own cgroup2 path from /proc/self/cgroup', () => {
  assert.equal(ownCgroup2Path('12:pids:/\n0::/user.slice/user-1000.slice/session-1.scope\n'), '/user.slice/user-1000.slice/session-1.scope');
  assert.equal(ownCgroup2Path('0::/\n'), '/');
  assert.equal(ownCgroup2Path('4:memory:/x\n'), undefined);
});

test('layout and version agree with the mounts of this host', () => {
  const mounts = readFileSync('/proc/self/mounts', 'utf8');
  const unified = /^\S+ \/sys\/fs\/cgroup cgroup2 /m.test(mounts);
  const hybrid = !unified && /^\S+ \/sys\/fs\/cgroup\/unified cgroup2 /m.test(mounts);
  assert.equal(cgroupLayout(), unified ? 'unified' : hybrid ? 'hybrid' : 'legacy');
  assert.equal(cgroupVersion(), unified ? 'v2' : 'v1');
  // rootless on v1 or hybrid: nothing is delegated, no controllers (as podman reports)
  if (!unified) assert.deepEqual(detectCgroups(true).controllers, []);
});
