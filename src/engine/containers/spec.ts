// Everything a container needs on disk before the runtime sees it: the user resolved against
// the image's /etc/passwd, /etc/hosts, /etc/hostname, /etc/resolv.conf and /run/.containerenv
// kept in userdata (bind-mounted, never written into the image layer), and config.json.
import { promises as fsp, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../index.js';
import type { ContainerRecord } from './types.js';
import { ContainerPaths } from './paths.js';
import { atomicWriteFile } from '../../util/fsutil.js';

/** Files of a container that are written again at every start: no fsync needed. */
const VOLATILE = { durable: false };
import { generateSpec } from '../../runtime/spec.js';
import { cgroups } from './cgroups.js';
import { resolveUser, readRootfsFile } from '../../runtime/users.js';
import { ensureKernelDirs, confineDestinations, ensureWorkdir } from '../../runtime/rootfs.js';
import { VERSION } from '../../version.js';
import { mustFindContainer } from './lookup.js';
import { readState } from './state.js';
import { TsmanError } from '../../errors.js';
import type { NetState } from '../../network/setup.js';
import { peerHostLines } from '../../network/setup.js';
import { slirpAddresses } from '../../netslirp/slirp.js';
import type { IdMap } from '../../userns/keepid.js';

function hostResolv(): { nameservers: string[]; search: string[]; options: string[] } {
  const r = { nameservers: [] as string[], search: [] as string[], options: [] as string[] };
  for (const l of safeRead('/etc/resolv.conf').split('\n')) {
    const [k, ...v] = l.trim().split(/\s+/);
    if (k === 'nameserver' && v[0]) r.nameservers.push(v[0]);
    else if ((k === 'search' || k === 'domain') && v.length) r.search = v;
    else if (k === 'options') r.options.push(...v);
  }
  return r;
}

/** resolv.conf as podman writes it: --dns* flags first, then slirp4netns's resolver, then the host's. */
export function resolvConf(cfg: ContainerRecord['config'], net: NetState | undefined): string {
  const host = hostResolv();
  // a loopback resolver of the host (systemd-resolved) is unreachable from a private netns
  let ns = cfg.network === 'host' ? host.nameservers : host.nameservers.filter((n) => !n.startsWith('127.') && n !== '::1');
  if (net?.slirp) ns = [slirpAddresses(net.slirp.cidr).dns, ...ns];
  if (cfg.dns?.length) ns = cfg.dns.filter((d) => d !== 'none');
  const search = cfg.dnsSearch?.length ? cfg.dnsSearch.filter((d) => d !== '.') : host.search;
  const options = cfg.dnsOptions?.length ? cfg.dnsOptions : host.options;
  const lines: string[] = [];
  if (search.length) lines.push(`search ${search.join(' ')}`);
  for (const n of ns) lines.push(`nameserver ${n}`);
  if (options.length) lines.push(`options ${options.join(' ')}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** /etc/hosts: the base (host's localhost lines), the container itself, host.containers.internal, --add-host, peers */
async function hostsFile(engine: Engine, c: ContainerRecord, net: NetState | undefined): Promise<string> {
  const cfg = c.config;
  if (cfg.network === 'host') return safeRead('/etc/hosts') + addHostLines(cfg, undefined);
  let text = '127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n';
  text += addHostLines(cfg, net);
  const own = net?.ifaces[0];
  text += `${own?.ip ?? '127.0.1.1'}\t${cfg.hostname} ${c.name}\n`;
  if (own) text += `${own.gateway}\thost.containers.internal\n`;
  if (net?.mode === 'bridge') {
    const peers = await peerHostLines(engine, c);
    if (peers.length) text += `${peers.join('\n')}\n`;
  }
  return text;
}

function addHostLines(cfg: ContainerRecord['config'], net: NetState | undefined): string {
  return (cfg.addHosts ?? []).map((h) => {
    const i = h.indexOf(':');
    let ip = h.slice(i + 1);
    if (ip === 'host-gateway') ip = net?.ifaces[0]?.gateway ?? '127.0.0.1';
    return `${ip}\t${h.slice(0, i)}\n`;
  }).join('');
}

/**
 * /etc/hosts and /etc/resolv.conf in userdata. Written in place (not renamed over): once the
 * runtime has bind-mounted them, a later write (network set up after create) must reach the
 * container.
 */
export async function writeNetFiles(engine: Engine, c: ContainerRecord, net: NetState | undefined): Promise<void> {
  const p = new ContainerPaths(engine.store, c.id);
  writeFileSync(path.join(p.userdata, 'hosts'), await hostsFile(engine, c, net));
  writeFileSync(path.join(p.userdata, 'resolv.conf'), resolvConf(c.config, net));
}

export async function buildSpec(engine: Engine, c: ContainerRecord, rootfs: string, net?: NetState): Promise<void> {
  const p = new ContainerPaths(engine.store, c.id);
  const cfg = c.config;
  // podman: a user the image does not know fails the start with 126, like a command it cannot run
  const user = await resolveUser(rootfs, cfg.user || undefined, cfg.groupAdd).catch((err: unknown) => {
    if (err instanceof TsmanError) throw new TsmanError(err.code, err.message, { exitCode: 126 });
    throw err;
  });
  const env = [...cfg.env];
  const keepHome = cfg.keepId && user.uid === cfg.keepId.uid ? cfg.keepId.home : undefined;
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${keepHome ?? (user.home || '/')}`);
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${cfg.hostname}`);

  // container:X shares X's files as it shares X's namespace
  const peer = cfg.network.startsWith('container:') ? mustFindContainer(engine.store.read(), cfg.network.slice(10)) : undefined;
  const filesOf = peer ? new ContainerPaths(engine.store, peer.id).userdata : p.userdata;
  if (!peer) await writeNetFiles(engine, c, net);
  await atomicWriteFile(path.join(p.userdata, 'hostname'), `${cfg.hostname}\n`, 0o644, VOLATILE);
  await atomicWriteFile(path.join(p.userdata, '.containerenv'),
    `engine="tsman-${VERSION}"\nname="${c.name}"\nid="${c.id}"\nimage="${c.imageName}"\nimageid="${c.imageId}"\nrootless=${engine.rootless ? 1 : 0}\n`, 0o644, VOLATILE);

  const bind = (src: string, dst: string, ro = false) => ({ destination: dst, source: src, type: 'bind', options: ['bind', 'rprivate', ...(ro ? ['ro'] : [])] });
  const mounts = [
    ...(cfg.noHosts ? [] : [bind(path.join(filesOf, 'hosts'), '/etc/hosts')]),
    bind(path.join(p.userdata, 'hostname'), '/etc/hostname'),
    // --network none: no resolver to name, the image's own file (podman binds none either)
    ...(cfg.network === 'none' ? [] : [bind(path.join(filesOf, 'resolv.conf'), '/etc/resolv.conf')]),
    bind(path.join(p.userdata, '.containerenv'), '/run/.containerenv'),
  ];
  if (cfg.timezone) {
    // as podman: a copy of the zone file in userdata, bind-mounted on /etc/localtime
    const zone = cfg.timezone === 'local' ? '/etc/localtime' : path.join('/usr/share/zoneinfo', cfg.timezone);
    await atomicWriteFile(path.join(p.userdata, 'localtime'), await fsp.readFile(zone), 0o644, VOLATILE);
    mounts.push(bind(path.join(p.userdata, 'localtime'), '/etc/localtime'));
  }
  let idMappings: { uid: IdMap[]; gid: IdMap[] } | undefined;
  if (cfg.nomap) {
    const { nomapMappings } = await import('../../userns/keepid.js');
    idMappings = { uid: nomapMappings('uid'), gid: nomapMappings('gid') };
  }
  if (cfg.keepId) {
    const k = cfg.keepId;
    const { keepIdMappings } = await import('../../userns/keepid.js');
    idMappings = { uid: keepIdMappings('uid', k.uid), gid: keepIdMappings('gid', k.gid) };
    // as podman: the user and its group get entries of their own when the image has none
    // read inside the rootfs: a symlinked /etc/passwd must not bring the host's file in
    const passwd = readRootfsFile(rootfs, '/etc/passwd') ?? '';
    const group = readRootfsFile(rootfs, '/etc/group') ?? '';
    const hasUid = passwd.split('\n').some((l) => l.split(':')[2] === String(k.uid));
    const hasGid = group.split('\n').some((l) => l.split(':')[2] === String(k.gid));
    const nl = (t: string): string => (t === '' || t.endsWith('\n') ? t : `${t}\n`);
    await atomicWriteFile(path.join(p.userdata, 'passwd'), hasUid ? passwd : `${nl(passwd)}${k.name}:*:${k.uid}:${k.gid}:${k.name}:${k.home}:/bin/sh\n`, 0o644, VOLATILE);
    await atomicWriteFile(path.join(p.userdata, 'group'), hasGid ? group : `${nl(group)}${k.name}:x:${k.gid}:${k.name}\n`, 0o644, VOLATILE);
    mounts.push(bind(path.join(p.userdata, 'passwd'), '/etc/passwd'), bind(path.join(p.userdata, 'group'), '/etc/group'));
  }
  const { specMounts } = await import('./mounts.js');
  mounts.push(...await specMounts(engine, c, rootfs, user));
  if (cfg.nomap) {
    // the container's root reaches its userdata files through the stage (src/userns/stage.ts)
    const { stageOf } = await import('../../userns/stage.js');
    const staged = stageOf(c.id).userdata;
    for (const m of mounts) if (m.source.startsWith(p.userdata + '/')) m.source = staged + m.source.slice(p.userdata.length);
  }
  // parents before children (a volume on /etc, then the /etc/hosts bind on top of it)
  mounts.sort((a, b) => a.destination.split('/').length - b.destination.split('/').length);
  const tmpfs = { ...cfg.tmpfs };
  if (cfg.readOnly && cfg.readOnlyTmpfs) {
    for (const d of ['/run', '/tmp', '/var/tmp']) tmpfs[d] ??= 'rw,rprivate,nosuid,nodev,tmpcopyup';
  }
  const spec = generateSpec({
    id: c.id, rootfs, rootless: engine.rootless,
    command: cfg.command,
    env, workdir: cfg.workdir, user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    terminal: cfg.tty, hostname: cfg.hostname,
    capAdd: cfg.capAdd, capDrop: cfg.capDrop, privileged: cfg.privileged,
    defaultCapabilities: engine.config.containers.default_capabilities ?? [],
    noNewPrivileges: cfg.noNewPrivileges, seccomp: cfg.seccomp,
    readOnly: cfg.readOnly, readOnlyTmpfs: cfg.readOnlyTmpfs, tmpfs,
    ulimits: cfg.ulimits,
    namespaces: {
      pid: nsOf(engine, cfg.pid, 'pid'), ipc: nsOf(engine, cfg.ipc, 'ipc'), uts: nsOf(engine, cfg.uts, 'uts'),
      net: netNamespace(engine, cfg.network, net),
      ...(cfg.cgroupns ? { cgroup: cfg.cgroupns } : {}),
    },
    mounts, shmSize: cfg.shmSize ?? 64 * 1024 * 1024, annotations: cfg.annotations, labels: cfg.labels,
    umask: cfg.umask, pidsLimit: cfg.pidsLimit,
    cgroupsPath: cgroups(engine).cgroupsPath(c.id),
    stopSignal: cfg.stopSignal,
    init: cfg.init ? { path: cfg.initPath ?? '/usr/bin/catatonit' } : undefined,
    idMappings,
  });
  // nothing the runtime mounts or creates may go through a symlink of the image
  // (src/runtime/rootfs.ts); a --rootfs directory is the user's: refused rather than changed
  ensureKernelDirs(rootfs, !cfg.rootfs);
  const specMountList = spec['mounts'] as { destination: string }[];
  confineDestinations(rootfs, specMountList);
  specMountList.sort((a, b) => a.destination.split('/').length - b.destination.split('/').length);
  ensureWorkdir(rootfs, cfg.workdir, {
    create: cfg.workdirExplicit !== true, containerId: c.id, mountDests: specMountList.map((m) => m.destination),
  });
  await atomicWriteFile(path.join(p.bundle, 'config.json'), JSON.stringify(spec), 0o600, VOLATILE);
}

function netNamespace(engine: Engine, mode: string, net: NetState | undefined): string {
  if (net) return net.nsPath;
  if (mode === 'host') return 'host';
  if (mode.startsWith('ns:')) return mode.slice(3);
  if (mode.startsWith('container:')) return nsOf(engine, mode, 'net');
  return 'private';
}

/** private | host | container:NAME → the other container's /proc/<pid>/ns/<kind> */
function nsOf(engine: Engine, v: string, kind: string): string {
  if (!v.startsWith('container:')) return v;
  const other = mustFindContainer(engine.store.read(), v.slice(10));
  const st = readState(engine.store, other.id);
  if (st.status !== 'running' || !st.pid) {
    throw new TsmanError('EGENERIC', `cannot join the ${kind} namespace of container ${other.name}: it is not running`);
  }
  return `/proc/${st.pid}/ns/${kind}`;
}

function safeRead(f: string): string {
  try { return readFileSync(f, 'utf8'); } catch { return ''; }
}
