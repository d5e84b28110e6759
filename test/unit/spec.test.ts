// config.json generation: parity with podman 4.3's output (stored fixtures), schema validity, the
// capability/seccomp/rlimit helpers, and (as root, with runc) a real run of a generated bundle.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, rmSync, existsSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';
import { generateSpec, hostRlimitCeil, buildRlimits, tmpfsOptions, signalNumber, type SpecOptions } from '../../src/runtime/spec.js';
import {
  normalizeCapability, mergeCapabilities, containerCapabilities, capsToMask, capsFromMask, allCapabilities,
  processBoundingSet, DEFAULT_CAPABILITIES, CAPABILITY_NAMES,
} from '../../src/runtime/caps.js';
import { convertSeccompProfile, defaultSeccompProfile, loadSeccompProfile, DEFAULT_PROFILE, type SeccompProfile } from '../../src/runtime/seccomp.js';
import { TsmanError } from '../../src/errors.js';

const FIXTURES = fileURLToPath(new URL('../../../test/unit/fixtures/runtime-spec/', import.meta.url));
const ALL41 = CAPABILITY_NAMES.slice(0, 41);
const LIMITS = [
  'Limit                     Soft Limit           Hard Limit           Units     ',
  'Max processes             96365                96365                processes ',
  'Max open files            20000                20000                files     ',
  'Max core file size        0                    unlimited            bytes     ',
].join('\n');

const tmp: string[] = [];
after(() => { for (const d of tmp) rmSync(d, { recursive: true, force: true }); });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const fixture = (name: string): Json => JSON.parse(readFileSync(path.join(FIXTURES, 'podman-4.3', name + '.json'), 'utf8'));

function baseOptions(over: Partial<SpecOptions> = {}): SpecOptions {
  return {
    id: 'c0ffee', rootfs: '/var/lib/tsman/rootfs', rootless: false, command: ['sh', '-c', 'echo hi'],
    env: [], workdir: '/', user: { uid: 0, gid: 0, additionalGids: [], home: '/root' }, terminal: false,
    hostname: 'c0ffee', capAdd: [], capDrop: [], privileged: false, defaultCapabilities: [...DEFAULT_CAPABILITIES],
    noNewPrivileges: false, seccomp: 'default', readOnly: false, readOnlyTmpfs: true, tmpfs: {},
    ulimits: [{ name: 'nofile', soft: 20000, hard: 20000 }, { name: 'nproc', soft: 4096, hard: 4096 }],
    namespaces: { pid: 'private', ipc: 'private', uts: 'private', net: 'private', cgroup: 'host' },
    mounts: [], shmSize: 0, annotations: {}, hostCapabilities: ALL41, hostLimits: LIMITS,
    ...over,
  };
}

/** generateSpec for the container a podman fixture describes; both normalised for comparison. */
function compareWithPodman(name: string, rootless: boolean, over: Partial<SpecOptions> = {}): void {
  const ref = fixture(name);
  const net = ref.linux.namespaces.find((n: Json) => n.type === 'network');
  const o = baseOptions({
    rootless, rootfs: ref.root.path, hostname: ref.hostname ?? 'x', cgroupsPath: ref.linux.cgroupsPath,
    // the podman-made bind mounts the engine also makes (shm is ours: a tmpfs instead of podman's bind)
    mounts: ref.mounts.filter((m: Json) => m.source.includes('/userdata/') && m.destination !== '/dev/shm'),
    ...over,
  });
  o.namespaces = { ...o.namespaces, ...(net?.path && o.namespaces.net === 'private' ? { net: net.path } : {}) };
  const ours = JSON.parse(JSON.stringify(generateSpec(o))) as Json;
  for (const s of [ours, ref]) {
    delete s.annotations['io.kubernetes.cri-o.Created'];
    s.process.env.sort();
    s.mounts = s.mounts.map((m: Json) => (m.destination === '/dev/shm' ? { destination: m.destination } : m));
    s.mounts.sort((a: Json, b: Json) => (a.destination < b.destination ? -1 : 1));
    // the one deliberate difference of tsman's default profile (src/runtime/seccomp.ts): no x32
    if (s.linux.seccomp?.architectures) s.linux.seccomp.architectures = s.linux.seccomp.architectures.filter((a: string) => a !== 'SCMP_ARCH_X32');
  }
  assert.deepEqual(ours, ref);
}

describe('parity with podman 4.3 config.json', { skip: process.arch !== 'x64' && 'fixtures are x86_64' }, () => {
  test('root, defaults', () => compareWithPodman('root-default', false));
  test('rootless, defaults: no user namespace, no cgroup resources', () => compareWithPodman('rl-default', true));
  test('rootless --network host: /sys bound from the host, /sys/kernel masked, no sysctl', () =>
    compareWithPodman('rl-nethost', true, { namespaces: { pid: 'private', ipc: 'private', uts: 'private', net: 'host', cgroup: 'host' } }));
  test('rootless --pid host: /proc bound from the host', () =>
    compareWithPodman('rl-pidonly', true, { namespaces: { pid: 'host', ipc: 'private', uts: 'private', net: 'private', cgroup: 'host' } }));
  test('--user 1000 --cap-add net_admin: only the added caps are effective', () =>
    compareWithPodman('root-useradd', false, {
      user: { uid: 1000, gid: 1000, additionalGids: [1000, 2000], home: '/home/tsuser' }, capAdd: ['net_admin'],
    }));
  test('--read-only: readonly root and tmpfs on /tmp, /var/tmp, /run', () => compareWithPodman('root-ro', false, { readOnly: true }));
  test('--init: catatonit at /run/podman-init', () =>
    compareWithPodman('root-init', false, { init: { path: '/usr/libexec/podman/catatonit' } }));
  test('--cap-add sys_admin with a profile file: CAP_SYS_ADMIN rules resolved', () => {
    // The fixture's profile was /usr/share/containers/seccomp.json, which DEFAULT_PROFILE is a port of.
    const d = mkdtempSync(path.join(tmpdir(), 'tsman-seccomp-'));
    tmp.push(d);
    writeFileSync(path.join(d, 'seccomp.json'), JSON.stringify(DEFAULT_PROFILE));
    compareWithPodman('root-sysadmin-seccompfile', false, {
      capAdd: ['sys_admin'], seccomp: path.join(d, 'seccomp.json'),
      annotations: { 'io.podman.annotations.seccomp': '/usr/share/containers/seccomp.json' },
    });
  });
});

describe('runtime-spec schema', () => {
  const Ajv = ((AjvDraft04 as unknown as { default?: unknown }).default ?? AjvDraft04) as new (o: object) => {
    addSchema(s: object, key: string): void; getSchema(k: string): ((d: unknown) => boolean) & { errors?: unknown } | undefined;
  };
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const f of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')), f);
  }
  const validate = ajv.getSchema('config-schema.json')!;
  const cases: Array<[string, Partial<SpecOptions>]> = [
    ['root defaults', {}],
    ['rootless defaults', { rootless: true }],
    ['privileged root', { privileged: true }],
    ['privileged rootless, host network', { privileged: true, rootless: true, namespaces: { pid: 'host', ipc: 'host', uts: 'host', net: 'host' } }],
    ['user, caps, tmpfs, ro, init, nnp', {
      user: { uid: 1000, gid: 1000, additionalGids: [1000, 10] }, capAdd: ['NET_RAW'], capDrop: ['CAP_KILL'], readOnly: true,
      tmpfs: { '/scratch': 'size=1m,mode=700' }, init: { path: '/usr/bin/catatonit' }, noNewPrivileges: true, terminal: true,
      oomScoreAdj: -500, umask: '0077', stopSignal: 'KILL', cgroupsPath: '/tsman/c0ffee', seccomp: 'unconfined',
      namespaces: { pid: '/proc/1/ns/pid', ipc: 'private', uts: 'private', net: 'none', cgroup: 'private' },
    }],
  ];
  for (const [name, over] of cases) {
    test(`${name} validates against config-schema.json`, () => {
      const spec = generateSpec(baseOptions(over)) as Json;
      // runtime-spec 1.0.2's enum lacks the recursive forms, which runc and crun accept and podman writes.
      if (spec.linux.rootfsPropagation === 'rslave') delete spec.linux.rootfsPropagation;
      assert.ok(validate(spec), JSON.stringify(validate.errors, null, 1));
    });
  }
  test('the podman fixtures validate too (the schema setup is sound)', () => {
    for (const f of readdirSync(path.join(FIXTURES, 'podman-4.3')).filter((f) => f.endsWith('.json'))) {
      assert.ok(validate(fixture(f.replace(/\.json$/, ''))), f);
    }
    assert.equal(validate({ ociVersion: 1 }), false);
  });
});

describe('spec details', () => {
  test('rootless: no user namespace, no cgroupsPath, empty resources', () => {
    const s = generateSpec(baseOptions({ rootless: true, cgroupsPath: '/x' })) as Json;
    assert.deepEqual(s.linux.namespaces.map((n: Json) => n.type), ['pid', 'network', 'ipc', 'uts', 'mount']);
    assert.deepEqual(s.linux.resources, {});
    assert.equal(s.linux.cgroupsPath, undefined);
    assert.equal(s.ociVersion, '1.0.2-dev');
  });
  test('root: devices cgroup denies all, pids limit, namespace paths', () => {
    const s = generateSpec(baseOptions({ namespaces: { pid: 'host', ipc: '/proc/9/ns/ipc', uts: 'host', net: 'private', cgroup: 'private' } })) as Json;
    assert.deepEqual(s.linux.resources, { devices: [{ allow: false, access: 'rwm' }], pids: { limit: 2048 } });
    assert.deepEqual(s.linux.namespaces, [{ type: 'network' }, { type: 'ipc', path: '/proc/9/ns/ipc' }, { type: 'mount' }, { type: 'cgroup' }]);
    assert.equal(s.hostname, undefined, 'no hostname without a private UTS namespace');
    assert.ok(s.process.env.includes('HOSTNAME=c0ffee'));
  });
  test('privileged: all the caller can grant, no seccomp, no masks, host devices', () => {
    const s = generateSpec(baseOptions({ privileged: true, hostCapabilities: ['CAP_CHOWN', 'CAP_SYS_ADMIN'] })) as Json;
    assert.deepEqual(s.process.capabilities, { bounding: ['CAP_CHOWN', 'CAP_SYS_ADMIN'], effective: ['CAP_CHOWN', 'CAP_SYS_ADMIN'], permitted: ['CAP_CHOWN', 'CAP_SYS_ADMIN'] });
    assert.equal(s.linux.seccomp, undefined);
    assert.equal(s.linux.maskedPaths, undefined);
    assert.equal(s.linux.readonlyPaths, undefined);
    assert.deepEqual(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    const devnull = s.linux.devices.find((d: Json) => d.path === '/dev/null');
    assert.deepEqual({ ...devnull, fileMode: 0 }, { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0, uid: 0, gid: 0 });
    assert.ok(devnull.fileMode > 0 && devnull.fileMode <= 0o777);
    assert.ok(!s.linux.devices.some((d: Json) => d.path === '/dev/console'));
    assert.deepEqual(s.mounts.find((m: Json) => m.destination === '/sys').options, ['rprivate', 'nosuid', 'noexec', 'nodev', 'rw']);
    const r = generateSpec(baseOptions({ privileged: true, rootless: true })) as Json;
    assert.equal(r.linux.devices, undefined);
    assert.deepEqual(r.mounts.find((m: Json) => m.destination === '/dev/null'), { destination: '/dev/null', type: 'bind', source: '/dev/null', options: ['slave', 'nosuid', 'noexec', 'rw', 'rbind'] });
    assert.ok(!r.mounts.some((m: Json) => m.destination === '/dev/ptmx' || m.destination.startsWith('/dev/tty')));
    assert.equal(r.linux.rootfsPropagation, 'rslave');
  });
  test('mounts: caller mounts replace defaults, parents before children, ipc host binds /dev/shm', () => {
    const s = generateSpec(baseOptions({
      shmSize: 128 * 1024 * 1024,
      mounts: [
        { destination: '/data/sub', source: '/srv/b', type: 'bind', options: ['rbind'] },
        { destination: '/data', source: '/srv/a', type: 'bind', options: ['rbind'] },
        { destination: '/dev/mqueue', source: '/srv/mq', type: 'bind', options: ['rbind'] },
      ],
    })) as Json;
    const dests = s.mounts.map((m: Json) => m.destination);
    assert.ok(dests.indexOf('/data') < dests.indexOf('/data/sub'));
    assert.equal(s.mounts.filter((m: Json) => m.destination === '/dev/mqueue').length, 1);
    assert.equal(s.mounts.find((m: Json) => m.destination === '/dev/mqueue').source, '/srv/mq');
    assert.deepEqual(s.mounts.find((m: Json) => m.destination === '/dev/shm'),
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=134217728'] });
    const h = generateSpec(baseOptions({ namespaces: { pid: 'private', ipc: 'host', uts: 'private', net: 'private' } })) as Json;
    assert.equal(h.mounts.find((m: Json) => m.destination === '/dev/shm').source, '/dev/shm');
  });
  test('env defaults and overrides, umask, rlimits', () => {
    const s = generateSpec(baseOptions({ env: ['FOO=1', 'TERM=dumb', 'FOO=2'], umask: '027', ulimits: [{ name: 'core', soft: -1, hard: -1 }] })) as Json;
    assert.deepEqual(s.process.env, [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'container=podman', 'FOO=2', 'TERM=dumb',
      'HOSTNAME=c0ffee', 'HOME=/root',
    ]);
    assert.equal(s.process.user.umask, 0o027);
    assert.deepEqual(s.process.rlimits, [
      { type: 'RLIMIT_CORE', hard: Number.MAX_SAFE_INTEGER, soft: Number.MAX_SAFE_INTEGER },
      { type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 },
      { type: 'RLIMIT_NPROC', hard: Math.min(96365, Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'))), soft: Math.min(96365, Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'))) },
    ]);
    assert.throws(() => generateSpec(baseOptions({ umask: '0999' })), /invalid umask string 0999/);
    assert.throws(() => generateSpec(baseOptions({ ulimits: [{ name: 'nofiles', soft: 1, hard: 1 }] })), /invalid ulimit type: nofiles/);
    assert.throws(() => generateSpec(baseOptions({ ulimits: [{ name: 'nofile', soft: 2, hard: 1 }] })), /soft limit must be less than or equal to hard limit/);
  });
  test('hostRlimitCeil reads the hard limit', () => {
    assert.equal(hostRlimitCeil('nofile', LIMITS), 20000);
    assert.equal(hostRlimitCeil('RLIMIT_NPROC', LIMITS), 96365);
    assert.equal(hostRlimitCeil('core', LIMITS), Infinity);
    const real = hostRlimitCeil('nofile');
    assert.ok(real > 0);
    assert.deepEqual(buildRlimits([], LIMITS)[0], { type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 });
    assert.deepEqual(buildRlimits([], LIMITS.replace(/20000/g, '2000000'))[0], { type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 });
  });
  test('tmpfs options get podman defaults; bad options are refused', () => {
    assert.deepEqual(tmpfsOptions(''), ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup']);
    assert.deepEqual(tmpfsOptions('ro,noexec,size=1m'), ['ro', 'noexec', 'size=1m', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup']);
    assert.deepEqual(tmpfsOptions('notmpcopyup,exec'), ['exec', 'rw', 'rprivate', 'nosuid', 'nodev']);
    assert.throws(() => tmpfsOptions('bind'), /unknown mount option "bind": invalid mount option/);
  });
  test('stop signal annotation and --init args', () => {
    assert.equal(signalNumber('SIGKILL'), 9);
    assert.equal(signalNumber('usr1'), 10);
    assert.equal(signalNumber('2'), 2);
    assert.throws(() => signalNumber('SIGNOPE'), /invalid signal: SIGNOPE/);
    const s = generateSpec(baseOptions({ init: { path: '/usr/bin/catatonit' }, stopSignal: 'SIGINT' })) as Json;
    assert.deepEqual(s.process.args, ['/run/podman-init', '--', 'sh', '-c', 'echo hi']);
    assert.equal(s.annotations['org.opencontainers.image.stopSignal'], '2');
    assert.equal(s.annotations['io.podman.annotations.init'], 'TRUE');
  });
});

describe('capabilities', () => {
  test('normalisation and podman\'s error wording', () => {
    assert.equal(normalizeCapability('net_admin'), 'CAP_NET_ADMIN');
    assert.equal(normalizeCapability('cap_net_admin'), 'CAP_NET_ADMIN');
    assert.equal(normalizeCapability('all'), 'ALL');
    assert.throws(() => normalizeCapability('foo'), (e: unknown) => e instanceof TsmanError && e.message === '"CAP_FOO": unknown capability' && e.exitCode === 125);
  });
  test('merge: defaults + add - drop, ALL', () => {
    assert.deepEqual(mergeCapabilities(['CHOWN', 'KILL'], ['net_raw'], ['kill'], ALL41), ['CAP_CHOWN', 'CAP_NET_RAW']);
    assert.deepEqual(mergeCapabilities(['CHOWN', 'KILL'], ['net_raw'], ['all'], ALL41), ['CAP_NET_RAW']);
    assert.deepEqual(mergeCapabilities(['CHOWN'], ['all'], ['chown'], ALL41), ALL41.filter((c) => c !== 'CAP_CHOWN').sort());
    assert.throws(() => mergeCapabilities([], ['all'], ['all'], ALL41), /adding all caps and removing all caps not allowed/);
    assert.throws(() => mergeCapabilities([], ['net_admin'], ['NET_ADMIN'], ALL41), /capability "CAP_NET_ADMIN" cannot be dropped and added/);
  });
  test('non-root users get only the added capabilities as effective', () => {
    assert.deepEqual(containerCapabilities({ uid: 1000, privileged: false, defaultCapabilities: DEFAULT_CAPABILITIES, capAdd: [], capDrop: [], hostCapabilities: ALL41 }),
      { bounding: [...DEFAULT_CAPABILITIES] });
    const c = containerCapabilities({ uid: 0, privileged: false, defaultCapabilities: DEFAULT_CAPABILITIES, capAdd: ['SYS_ADMIN'], capDrop: [], hostCapabilities: ['CAP_CHOWN', 'CAP_KILL'] });
    assert.deepEqual(c.bounding, ['CAP_CHOWN', 'CAP_KILL'], 'capped by what the caller holds');
  });
  test('masks and the kernel\'s list', () => {
    // podman 4.3's 11 defaults (docker's 14 would be a80425fb: + NET_RAW, MKNOD, AUDIT_WRITE)
    assert.equal(capsToMask(DEFAULT_CAPABILITIES), '00000000800405fb');
    assert.deepEqual(capsFromMask('800405fb'), [...DEFAULT_CAPABILITIES].sort());
    const last = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
    assert.equal(allCapabilities().length, Math.min(last, 40) + 1);
    assert.ok(processBoundingSet('CapBnd:\t0000000000000003\n').includes('CAP_DAC_OVERRIDE'));
  });
});

describe('seccomp', () => {
  const profile: SeccompProfile = {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { name: 'mount', action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['reboot'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_BOOT'] } },
      { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] } },
      { names: ['new_one'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '5.10' } },
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
    ],
  };
  test('includes/excludes resolved against caps, arch and kernel', () => {
    const a = convertSeccompProfile(profile, [], { arch: 'amd64', kernelRelease: '6.1.0-13-amd64' })!;
    assert.deepEqual(a.syscalls!.map((s) => s.names[0]), ['read', 'reboot', 'arch_prctl', 'new_one', 'clone']);
    assert.deepEqual(a.syscalls![4]!.args, [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }]);
    const b = convertSeccompProfile(profile, ['CAP_SYS_ADMIN', 'CAP_SYS_BOOT'], { arch: 'arm64', kernelRelease: '5.4.0' })!;
    assert.deepEqual(b.syscalls!.map((s) => s.names[0]), ['read', 'mount', 'clone']);
    assert.deepEqual(b.architectures, ['SCMP_ARCH_X86_64']);
  });
  test('the default profile: ENOSYS default, arch map, capability groups', () => {
    const d = defaultSeccompProfile(DEFAULT_CAPABILITIES, { arch: 'amd64' });
    assert.equal(d.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(d.defaultErrnoRet, 38);
    assert.deepEqual(d.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
    assert.deepEqual(defaultSeccompProfile([], { arch: 'arm64' }).architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    const rule = (caps: string[], name: string): string[] =>
      defaultSeccompProfile(caps, { arch: 'amd64' }).syscalls!.filter((s) => s.names.includes(name)).map((s) => s.action);
    assert.deepEqual(rule(DEFAULT_CAPABILITIES as string[], 'bpf'), ['SCMP_ACT_ERRNO']);
    assert.deepEqual(rule(['CAP_SYS_ADMIN'], 'bpf'), ['SCMP_ACT_ALLOW']);
    assert.deepEqual(rule(DEFAULT_CAPABILITIES as string[], 'chroot'), ['SCMP_ACT_ALLOW']);
    assert.deepEqual(rule([], 'chroot'), ['SCMP_ACT_ERRNO']);
    assert.ok(rule([], 'mount').includes('SCMP_ACT_ALLOW'));
    assert.deepEqual(rule([], 'ptrace'), ['SCMP_ACT_ALLOW']);
  });
  test('profile files: podman\'s errors', () => {
    const d = mkdtempSync(path.join(tmpdir(), 'tsman-seccomp-'));
    tmp.push(d);
    writeFileSync(path.join(d, 'bad.json'), '{');
    writeFileSync(path.join(d, 'both.json'), JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['x'], archMap: [{ architecture: 'x' }] }));
    writeFileSync(path.join(d, 'empty.json'), '{}');
    assert.throws(() => loadSeccompProfile(path.join(d, 'none.json'), []), /opening seccomp profile failed: open .*none.json: ENOENT/);
    assert.throws(() => loadSeccompProfile(path.join(d, 'bad.json'), []), /decoding seccomp profile failed/);
    assert.throws(() => loadSeccompProfile(path.join(d, 'both.json'), []), /use either 'architectures' or 'archMap'/);
    assert.equal(loadSeccompProfile(path.join(d, 'empty.json'), []), undefined);
  });
});

// A generated bundle run by runc: the security settings must really be in force.
const RUNC = ['/usr/sbin/runc', '/usr/bin/runc'].find((p) => existsSync(p));
const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));
const runcSkip = process.getuid!() !== 0 ? 'needs root' : !RUNC ? 'runc missing' : !BUSYBOX ? 'busybox missing' : false;

// the skip is on each test, not on the describe: a skipped describe hides its tests from the counts
describe('runc runs a generated spec', () => {
  const dir = runcSkip ? '' : mkdtempSync(path.join(tmpdir(), 'tsman-runc-'));
  if (dir) tmp.push(dir);
  const runcRoot = path.join(dir, 'state');
  function run(name: string, over: Partial<SpecOptions>, script: string): { out: string; code: number | null } {
    const bundle = path.join(dir, name);
    const rootfs = path.join(bundle, 'rootfs');
    mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    mkdirSync(path.join(rootfs, 'etc'));
    copyFileSync(BUSYBOX!, path.join(rootfs, 'bin', 'busybox'));
    for (const t of ['sh', 'cat', 'grep', 'id', 'wc', 'awk', 'head']) symlinkSync('busybox', path.join(rootfs, 'bin', t));
    writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\ntsuser:x:1000:1000::/home/tsuser:/bin/sh\n');
    writeFileSync(path.join(rootfs, 'etc', 'group'), 'root:x:0:\ntsuser:x:1000:\n');
    const id = `tsman-spec-test-${name}-${process.pid}`;
    const spec = generateSpec({
      ...baseOptions({ rootfs, hostname: name, command: ['sh', '-c', script], env: ['PATH=/bin'], cgroupsPath: `/${id}` }),
      hostCapabilities: undefined, hostLimits: undefined, namespaces: { pid: 'private', ipc: 'private', uts: 'private', net: 'private' },
      ...over,
    });
    writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
    const r = spawnSync(RUNC!, ['--root', runcRoot, 'run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 60_000 });
    spawnSync(RUNC!, ['--root', runcRoot, 'delete', '--force', id], { encoding: 'utf8' });
    if (r.status !== 0) assert.fail(`runc run failed (${r.status}): ${r.stderr}${r.stdout}`);
    return { out: r.stdout, code: r.status };
  }
  // /proc/kcore is missing on some kernels (no CONFIG_PROC_KCORE): /proc/timer_list is masked too.
  const probe = 'grep -E "^(CapEff|Seccomp|NoNewPrivs):" /proc/self/status; echo timer_list=$(wc -c < /proc/timer_list); echo keys=$(wc -c < /proc/keys); '
    + 'echo procsys=$(awk \'$2=="/proc/sys"{print substr($4,1,2)}\' /proc/self/mounts); id; echo nofile=$(ulimit -Hn)';

  test('defaults as root: podman\'s caps, seccomp filter, masked and read-only paths, rlimits', { skip: runcSkip }, () => {
    const { out } = run('root', {}, probe);
    assert.match(out, /^CapEff:\s+00000000800405fb$/m); // what podman 4.3 gives too
    assert.match(out, /^Seccomp:\s+2$/m);
    assert.match(out, /^NoNewPrivs:\s+0$/m);
    assert.match(out, /^timer_list=0$/m);
    assert.match(out, /^keys=0$/m);
    assert.match(out, /^procsys=ro$/m);
    assert.match(out, /^uid=0\(root\) gid=0\(root\)/m);
    assert.match(out, new RegExp(`^nofile=${Math.min(1048576, hostRlimitCeil('nofile'))}$`, 'm'));
  });
  test('--user 1000 --security-opt no-new-privileges: no effective caps', { skip: runcSkip }, () => {
    const { out } = run('user', { user: { uid: 1000, gid: 1000, additionalGids: [1000] }, noNewPrivileges: true }, probe);
    assert.match(out, /^CapEff:\s+0000000000000000$/m);
    assert.match(out, /^NoNewPrivs:\s+1$/m);
    assert.match(out, /^uid=1000\(tsuser\) gid=1000\(tsuser\)/m);
  });
  test('--privileged: every capability this process holds, no seccomp, no masks', { skip: runcSkip }, () => {
    const { out } = run('priv', { privileged: true }, probe);
    assert.match(out, new RegExp(`^CapEff:\\s+${capsToMask(processBoundingSet())}$`, 'm'));
    assert.match(out, /^Seccomp:\s+0$/m);
    assert.match(out, /^procsys=$/m);
  });
});
