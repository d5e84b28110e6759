// The OCI runtime-spec config.json for a container, as podman 4.3.1 writes it for the same flags
// (compared field by field against `podman create` + `podman init` output, root and rootless, on
// these hosts). The caller has merged entrypoint+cmd, resolved --user (users.ts) and prepared the
// bind mounts of /etc/hosts, /etc/resolv.conf, /etc/hostname, /run/.containerenv and volumes.
// Rootless: tsman already runs inside its own user namespace with all capabilities there, so the
// spec has no user namespace and no uid/gid maps (podman's rootless spec has none either), and no
// cgroup resources (no delegation on cgroup v1).

import { readdirSync, lstatSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TsmanError } from '../errors.js';
import { cgroupfsSpec } from '../cgroupv2/cgroupfs.js';
import { containerCapabilities, normalizeCapabilities, processBoundingSet } from './caps.js';
import { defaultSeccompProfile, loadSeccompProfile, type LinuxSeccomp } from './seccomp.js';

export interface Mount { destination: string; source: string; type: string; options: string[] }

export interface SpecOptions {
  id: string;
  rootfs: string;
  rootless: boolean;
  command: string[];
  env: string[];
  workdir: string;
  /** home: from resolveUser; sets HOME when env has none */
  user: { uid: number; gid: number; additionalGids: number[]; home?: string };
  terminal: boolean;
  hostname: string;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  defaultCapabilities: string[];
  noNewPrivileges: boolean;
  seccomp: 'default' | 'unconfined' | string;
  readOnly: boolean;
  readOnlyTmpfs: boolean;
  tmpfs: Record<string, string>;
  ulimits: Array<{ name: string; soft: number; hard: number }>;
  namespaces: {
    pid: 'private' | 'host' | string;
    ipc: 'private' | 'host' | string;
    uts: 'private' | 'host' | string;
    net: 'private' | 'host' | 'none' | string;
    /** default: private on cgroup v2, host on v1/hybrid (podman's default cgroupns) */
    cgroup?: 'private' | 'host';
  };
  mounts: Mount[];
  shmSize: number;
  annotations: Record<string, string>;
  labels?: Record<string, string>;
  /** the container's cgroup (CgroupManager.cgroupsPath); root only */
  cgroupsPath?: string;
  stopSignal?: string;
  init?: { path: string };
  umask?: string;
  oomScoreAdj?: number;
  /** --sysctl; containers.conf's default net.ipv4.ping_group_range="0 0" is added unless --net host */
  sysctl?: Record<string, string>;
  /** root only: containers.conf pids_limit (default 2048; 0 = none) */
  pidsLimit?: number;
  /** a user namespace of the container's own with these mappings (--userns=keep-id) */
  idMappings?: { uid: Array<{ containerID: number; hostID: number; size: number }>; gid: Array<{ containerID: number; hostID: number; size: number }> };
  /** what this process can grant (default: its own bounding set from /proc/self/status) */
  hostCapabilities?: string[];
  /** /proc/self/limits text to cap the default rlimits with (default: read it) */
  hostLimits?: string;
  /** where to look for host devices for --privileged (default /dev) */
  devRoot?: string;
}

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** podman 4.3's masked paths (containers/common DefaultMaskedPaths + /sys/dev/block). */
export const MASKED_PATHS = [
  '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/fs/selinux',
  '/sys/dev/block',
];
export const READONLY_PATHS = ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

// go-units' ulimit names -> the row of /proc/self/limits
const RLIMITS: Record<string, string> = {
  as: 'Max address space', core: 'Max core file size', cpu: 'Max cpu time', data: 'Max data size',
  fsize: 'Max file size', locks: 'Max file locks', memlock: 'Max locked memory',
  msgqueue: 'Max msgqueue size', nice: 'Max nice priority', nofile: 'Max open files',
  nproc: 'Max processes', rss: 'Max resident set', rtprio: 'Max realtime priority',
  rttime: 'Max realtime timeout', sigpending: 'Max pending signals', stack: 'Max stack size',
};

function rlimitKey(name: string): string {
  const n = name.toLowerCase().replace(/^rlimit_/, '');
  if (!(n in RLIMITS)) throw new TsmanError('EUSAGE', `invalid ulimit type: ${name}`);
  return n;
}

/**
 * The hard limit of this process for an rlimit ("nofile" or "RLIMIT_NOFILE"), from /proc/self/limits;
 * Infinity for "unlimited". A runtime cannot give a container more than this (raising a hard limit
 * needs CAP_SYS_RESOURCE in the initial user namespace).
 */
export function hostRlimitCeil(name: string, limitsText?: string): number {
  const row = RLIMITS[rlimitKey(name)]!;
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return Infinity;
    }
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith(row + ' ')) continue;
    const cols = line.slice(row.length).trim().split(/\s+/);
    const hard = cols[1];
    if (hard === undefined || hard === 'unlimited') return Infinity;
    const n = Number(hard);
    return Number.isFinite(n) ? n : Infinity;
  }
  return Infinity;
}

function readPidMax(): number | undefined {
  try {
    const n = Number.parseInt(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim(), 10);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * --ulimit values as given (like podman; -1 = unlimited, capped here at this process' hard limit),
 * then podman's defaults for what was not given: RLIMIT_NOFILE 1048576 and RLIMIT_NPROC = pid_max
 * (containers.conf's default nproc; 4194304 without /proc), both capped at this process' hard limits
 * so that the runtime can apply them.
 */
export function buildRlimits(ulimits: SpecOptions['ulimits'], limitsText?: string): Array<{ type: string; hard: number; soft: number }> {
  const out: Array<{ type: string; hard: number; soft: number }> = [];
  const seen = new Set<string>();
  const unlimited = (key: string, v: number): number => {
    if (v >= 0) return v;
    const ceil = hostRlimitCeil(key, limitsText);
    return Number.isFinite(ceil) ? ceil : Number.MAX_SAFE_INTEGER;
  };
  for (const u of ulimits) {
    const key = rlimitKey(u.name);
    const hard = unlimited(key, u.hard);
    const soft = unlimited(key, u.soft);
    if (soft > hard) {
      throw new TsmanError('EUSAGE', `ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
    }
    const type = 'RLIMIT_' + key.toUpperCase();
    const prev = out.findIndex((r) => r.type === type);
    if (prev >= 0) out.splice(prev, 1);
    out.push({ type, hard, soft });
    seen.add(key);
  }
  const cap = (key: string, v: number): number => Math.min(v, hostRlimitCeil(key, limitsText));
  if (!seen.has('nofile')) {
    const v = cap('nofile', 1048576);
    out.push({ type: 'RLIMIT_NOFILE', hard: v, soft: v });
  }
  if (!seen.has('nproc')) {
    const v = cap('nproc', readPidMax() ?? 4194304);
    out.push({ type: 'RLIMIT_NPROC', hard: v, soft: v });
  }
  return out;
}

/** Signal name or number -> number ("SIGTERM", "TERM", "15"). */
export function signalNumber(sig: string | undefined): number {
  if (sig === undefined || sig === '') return 15;
  if (/^\d+$/.test(sig)) return Number(sig);
  const name = sig.toUpperCase().startsWith('SIG') ? sig.toUpperCase() : 'SIG' + sig.toUpperCase();
  const n = (os.constants.signals as Record<string, number>)[name];
  if (n === undefined) throw new TsmanError('EUSAGE', `invalid signal: ${sig}`);
  return n;
}

const TMPFS_FLAGS = new Set([
  'rw', 'ro', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'private', 'rprivate', 'slave',
  'rslave', 'shared', 'rshared', 'unbindable', 'runbindable', 'tmpcopyup', 'notmpcopyup', 'atime',
  'noatime', 'relatime', 'norelatime', 'strictatime', 'nostrictatime', 'diratime', 'nodiratime',
  'sync', 'dirsync', 'mand', 'nomand', 'inode32', 'inode64',
]);
const TMPFS_DATA = new Set(['size', 'mode', 'nr_inodes', 'nr_blocks', 'uid', 'gid', 'huge', 'mpol']);

/** --tmpfs options with podman's defaults (util.ProcessOptions for a tmpfs). */
export function tmpfsOptions(spec: string): string[] {
  const opts = spec.split(',').map((o) => o.trim()).filter((o) => o !== '');
  const found = (...names: string[]): boolean => opts.some((o) => names.includes(o.split('=')[0]!));
  for (const o of opts) {
    const key = o.split('=')[0]!;
    if (!(o.includes('=') ? TMPFS_DATA.has(key) : TMPFS_FLAGS.has(key))) {
      throw new TsmanError('EUSAGE', `unknown mount option "${o}": invalid mount option`);
    }
  }
  const out = opts.filter((o) => o !== 'notmpcopyup');
  if (!found('rw', 'ro')) out.push('rw');
  if (!found('private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared', 'unbindable', 'runbindable')) out.push('rprivate');
  if (!found('suid', 'nosuid')) out.push('nosuid');
  if (!found('dev', 'nodev')) out.push('nodev');
  if (!found('tmpcopyup', 'notmpcopyup')) out.push('tmpcopyup');
  return out;
}

function parseUmask(u: string | undefined): number {
  if (u === undefined || u === '') return 0o022;
  if (!/^[0-7]{1,4}$/.test(u)) throw new TsmanError('EUSAGE', `invalid umask string ${u}`);
  return Number.parseInt(u, 8);
}

function cgroupV2(): boolean {
  return existsSync('/sys/fs/cgroup/cgroup.controllers');
}

interface HostDevice { path: string; type: 'c' | 'b'; major: number; minor: number; fileMode: number; uid: number; gid: number }

/**
 * Character and block devices under /dev, walked like runc's getDevices (podman addPrivilegedDevices).
 * fileMode holds the permission bits only (the schema's limit; podman also writes the S_IFCHR bits).
 */
export function hostDevices(root = '/dev', rootless = false): HostDevice[] {
  const out: HostDevice[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      if (rootless) return;
      throw err;
    }
    for (const name of names) {
      const p = path.join(dir, name);
      let st;
      try {
        st = lstatSync(p, { bigint: true });
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev'].includes(name)) continue;
        walk(p);
        continue;
      }
      if (name === 'console' || !(st.isCharacterDevice() || st.isBlockDevice())) continue;
      const rdev = st.rdev;
      const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
      const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
      out.push({
        path: path.join('/dev', path.relative(root, p)),
        type: st.isCharacterDevice() ? 'c' : 'b',
        major, minor, fileMode: Number(st.mode) & 0o777, uid: Number(st.uid), gid: Number(st.gid),
      });
    }
  };
  walk(root);
  return out;
}

const depth = (p: string): number => path.posix.normalize(p).split('/').filter((c) => c !== '').length;

/** Generate the runtime-spec config.json object for a container. */
export function generateSpec(o: SpecOptions): Record<string, unknown> {
  const ns = o.namespaces;
  const netHost = ns.net === 'host';
  const inUserNS = o.rootless;
  // Mounting a fresh sysfs needs a network namespace owned by our user namespace (podman canMountSys).
  // A namespace of its own (keep-id) does not own the network namespace tsman made: bind /sys too.
  const canMountSys = !(netHost && inUserNS) && !o.idMappings;

  // --- capabilities and seccomp
  const hostCaps = o.hostCapabilities ? normalizeCapabilities(o.hostCapabilities) : processBoundingSet();
  const caps = containerCapabilities({
    uid: o.user.uid, privileged: o.privileged, defaultCapabilities: o.defaultCapabilities,
    capAdd: o.capAdd, capDrop: o.capDrop, hostCapabilities: hostCaps,
  });
  let seccomp: LinuxSeccomp | undefined;
  if (!o.privileged && o.seccomp !== 'unconfined') {
    seccomp = o.seccomp === 'default' || o.seccomp === ''
      ? defaultSeccompProfile(caps.bounding ?? [])
      : loadSeccompProfile(o.seccomp, caps.bounding ?? []);
  }

  // --- mounts: runtime-tools defaults as podman adjusts them
  const sysRW = o.privileged ? 'rw' : 'ro';
  const sys: Mount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'noexec', 'strictatime', 'mode=755', 'size=65536k'] },
    canMountSys
      ? o.privileged
        ? { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'rw'] }
        : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: '/sys', type: 'bind', source: '/sys', options: ['rprivate', 'nosuid', 'noexec', 'nodev', sysRW, 'rbind'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];
  if (inUserNS && ns.pid === 'host') {
    sys[0] = { destination: '/proc', type: 'bind', source: '/proc', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'rw', 'rprivate'] };
  }
  if (inUserNS && ns.ipc === 'host') {
    // the host's own mqueue mount, when it has one: a user namespace cannot mount the host IPC
    // namespace's queues afresh, and binding a missing /dev/mqueue fails the start
    if (existsSync('/dev/mqueue')) sys[4] = { destination: '/dev/mqueue', type: 'bind', source: '/dev/mqueue', options: ['bind', 'nosuid', 'noexec', 'nodev'] };
    else sys.splice(4, 1);
  }
  const shmSize = o.shmSize > 0 ? String(o.shmSize) : '65536k';
  sys.push(ns.ipc === 'host'
    ? { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['bind', 'rprivate', 'nosuid', 'noexec', 'nodev'] }
    : { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`] });
  if (o.init) {
    sys.push({ destination: '/run/podman-init', type: 'bind', source: o.init.path, options: ['bind', 'ro', 'rprivate'] });
  }
  if (canMountSys) {
    sys.push({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'relatime', sysRW] });
  }

  const user: Mount[] = [];
  for (const [dest, opts] of Object.entries(o.tmpfs)) {
    if (!dest.startsWith('/')) throw new TsmanError('EUSAGE', `invalid tmpfs destination "${dest}": must be an absolute path`);
    user.push({ destination: dest, type: 'tmpfs', source: 'tmpfs', options: tmpfsOptions(opts) });
  }
  for (const m of o.mounts) user.push({ ...m, options: [...m.options] });
  if (o.readOnly && o.readOnlyTmpfs) {
    for (const dest of ['/tmp', '/var/tmp', '/run']) {
      if (!user.some((m) => path.posix.normalize(m.destination) === dest)) {
        user.push({ destination: dest, type: 'tmpfs', source: 'tmpfs', options: ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup'] });
      }
    }
  }
  // Mounts given by the caller replace the defaults at the same place (podman SupersedeUserMounts).
  const userDests = new Set(user.map((m) => path.posix.normalize(m.destination)));
  const userDev = userDests.has('/dev');
  let mounts = [
    ...sys.filter((m) => !userDests.has(m.destination) && !(userDev && m.destination.startsWith('/dev/'))),
    ...user,
  ];

  // --- devices
  let devices: HostDevice[] | undefined;
  if (o.privileged) {
    const found = hostDevices(o.devRoot ?? '/dev', o.rootless);
    if (o.rootless) {
      // No mknod in a user namespace: bind the host's nodes instead (not the ttys, as podman).
      const dests = new Set(mounts.map((m) => m.destination));
      const binds = found
        .filter((d) => d.path !== '/dev/ptmx' && !d.path.startsWith('/dev/tty') && !dests.has(d.path))
        .map((d) => ({ destination: d.path, type: 'bind', source: path.join(o.devRoot ?? '/dev', path.relative('/dev', d.path)), options: ['slave', 'nosuid', 'noexec', 'rw', 'rbind'] }));
      mounts = [...binds, ...mounts];
    } else {
      devices = found;
    }
  }
  // Parents before children; stable, so equal depths keep the order above.
  mounts = mounts.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i).map((x) => x.m);

  let rootfsPropagation: string | undefined;
  for (const m of mounts) {
    for (const opt of m.options) {
      if (opt === 'shared' || opt === 'rshared') rootfsPropagation = 'rshared';
      else if ((opt === 'slave' || opt === 'rslave') && rootfsPropagation !== 'rshared') rootfsPropagation = 'rslave';
    }
  }

  // --- namespaces (podman's order), never a user namespace
  const namespaces: Array<{ type: string; path?: string }> = [];
  const addNs = (type: string, mode: string): void => {
    if (mode === 'host') return;
    if (mode === 'private' || mode === 'none' || mode === '') namespaces.push({ type });
    else namespaces.push({ type, path: mode });
  };
  addNs('pid', ns.pid);
  addNs('network', ns.net);
  addNs('ipc', ns.ipc);
  addNs('uts', ns.uts);
  namespaces.push({ type: 'mount' });
  if (o.idMappings) namespaces.push({ type: 'user' });
  if ((ns.cgroup ?? (cgroupV2() ? 'private' : 'host')) === 'private') namespaces.push({ type: 'cgroup' });

  // --- process
  const env: string[] = [];
  const envKeys = new Map<string, number>();
  const setEnv = (kv: string): void => {
    const k = kv.includes('=') ? kv.slice(0, kv.indexOf('=')) : kv;
    const at = envKeys.get(k);
    if (at !== undefined) env[at] = kv;
    else {
      envKeys.set(k, env.length);
      env.push(kv);
    }
  };
  const has = (k: string): boolean => o.env.some((e) => e === k || e.startsWith(k + '='));
  if (!has('PATH')) setEnv(DEFAULT_PATH);
  if (!has('TERM')) setEnv('TERM=xterm');
  if (!has('container')) setEnv('container=podman');
  for (const e of o.env) setEnv(e);
  if (!has('HOSTNAME') && o.hostname) setEnv(`HOSTNAME=${o.hostname}`);
  if (!has('HOME') && o.user.home) setEnv(`HOME=${o.user.home}`);

  const procUser: Record<string, unknown> = { uid: o.user.uid, gid: o.user.gid, umask: parseUmask(o.umask) };
  if (o.user.additionalGids.length > 0) procUser['additionalGids'] = [...o.user.additionalGids];

  const args = o.init ? ['/run/podman-init', '--', ...o.command] : [...o.command];
  if (args.length === 0) throw new TsmanError('EUSAGE', 'no command or entrypoint provided, and no CMD or ENTRYPOINT from image');

  const proc: Record<string, unknown> = {};
  if (o.terminal) proc['terminal'] = true;
  proc['user'] = procUser;
  proc['args'] = args;
  proc['env'] = env;
  proc['cwd'] = o.workdir || '/';
  proc['capabilities'] = caps;
  proc['rlimits'] = buildRlimits(o.ulimits, o.hostLimits);
  if (o.noNewPrivileges) proc['noNewPrivileges'] = true;
  if (o.oomScoreAdj !== undefined) {
    if (!Number.isInteger(o.oomScoreAdj) || o.oomScoreAdj < -1000 || o.oomScoreAdj > 1000) {
      throw new TsmanError('EUSAGE', `oom-score-adj must be between -1000 and 1000: ${o.oomScoreAdj}`);
    }
    proc['oomScoreAdj'] = o.oomScoreAdj;
  }

  // --- annotations (podman's own, then the caller's)
  const annotations: Record<string, string> = {
    'io.container.manager': 'libpod',
    'io.kubernetes.cri-o.Created': new Date().toISOString(),
    'io.kubernetes.cri-o.TTY': String(o.terminal),
    'io.podman.annotations.autoremove': 'FALSE',
    'io.podman.annotations.init': o.init ? 'TRUE' : 'FALSE',
    'io.podman.annotations.privileged': o.privileged ? 'TRUE' : 'FALSE',
    'io.podman.annotations.publish-all': 'FALSE',
    'org.opencontainers.image.stopSignal': String(signalNumber(o.stopSignal)),
  };
  if (o.seccomp !== 'default' && o.seccomp !== '') annotations['io.podman.annotations.seccomp'] = o.seccomp;
  Object.assign(annotations, o.annotations);

  // --- linux
  const sysctl: Record<string, string> = {};
  // a namespaced sysctl needs the network namespace's owner: not the container's own user namespace
  if (!netHost && !o.idMappings) sysctl['net.ipv4.ping_group_range'] = '0 0';
  Object.assign(sysctl, o.sysctl ?? {});
  const linux: Record<string, unknown> = {};
  if (Object.keys(sysctl).length > 0) {
    linux['sysctl'] = Object.fromEntries(Object.keys(sysctl).sort().map((k) => [k, sysctl[k]]));
  }
  // resources and cgroupsPath as the cgroupfs manager has them (the caller got the path from it)
  cgroupfsSpec(linux, { rootless: o.rootless, privileged: o.privileged, pidsLimit: o.pidsLimit, cgroupsPath: o.cgroupsPath });
  linux['namespaces'] = namespaces;
  if (o.idMappings) {
    linux['uidMappings'] = o.idMappings.uid;
    linux['gidMappings'] = o.idMappings.gid;
  }
  if (devices) linux['devices'] = devices;
  if (seccomp) linux['seccomp'] = seccomp;
  if (rootfsPropagation) linux['rootfsPropagation'] = rootfsPropagation;
  if (!o.privileged) {
    linux['maskedPaths'] = [...(!canMountSys && o.rootless ? ['/sys/kernel'] : []), ...MASKED_PATHS];
    linux['readonlyPaths'] = [...READONLY_PATHS];
  }

  const spec: Record<string, unknown> = { ociVersion: '1.0.2-dev', process: proc };
  spec['root'] = o.readOnly ? { path: o.rootfs, readonly: true } : { path: o.rootfs };
  if (ns.uts === 'private' && o.hostname) spec['hostname'] = o.hostname;
  spec['mounts'] = mounts;
  // Go writes map keys sorted
  spec['annotations'] = Object.fromEntries(Object.keys(annotations).sort().map((k) => [k, annotations[k]]));
  spec['linux'] = linux;
  return spec;
}
