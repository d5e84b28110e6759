// Everything a container needs on disk before the runtime sees it: the user resolved against
// the image's /etc/passwd, /etc/hosts, /etc/hostname, /etc/resolv.conf and /run/.containerenv
// kept in userdata (bind-mounted, never written into the image layer), and config.json.
import { promises as fsp, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../index.js';
import type { ContainerRecord } from './types.js';
import { ContainerPaths } from './paths.js';
import { atomicWriteFile } from '../../util/fsutil.js';
import { generateSpec } from '../../runtime/spec.js';
import { resolveUser } from '../../runtime/users.js';
import { VERSION } from '../../version.js';
import { mustFindContainer } from './lookup.js';
import { readState } from './state.js';
import { TsmanError } from '../../errors.js';

function hostResolvConf(): string {
  try {
    const text = readFileSync('/etc/resolv.conf', 'utf8');
    // a loopback resolver of the host (systemd-resolved) is unreachable from a private netns
    return text.split('\n').filter((l) => !/^\s*nameserver\s+127\./.test(l)).join('\n');
  } catch {
    return '';
  }
}

export async function buildSpec(engine: Engine, c: ContainerRecord, rootfs: string): Promise<void> {
  const p = new ContainerPaths(engine.store, c.id);
  const cfg = c.config;
  const user = await resolveUser(rootfs, cfg.user || undefined, cfg.groupAdd);
  const env = [...cfg.env];
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home || '/'}`);
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${cfg.hostname}`);

  const hosts = cfg.network === 'host'
    ? safeRead('/etc/hosts')
    : `127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n127.0.1.1\t${cfg.hostname} ${c.name}\n`;
  await atomicWriteFile(path.join(p.userdata, 'hosts'), hosts);
  await atomicWriteFile(path.join(p.userdata, 'hostname'), `${cfg.hostname}\n`);
  await atomicWriteFile(path.join(p.userdata, 'resolv.conf'), hostResolvConf());
  await atomicWriteFile(path.join(p.userdata, '.containerenv'),
    `engine="tsman-${VERSION}"\nname="${c.name}"\nid="${c.id}"\nimage="${c.imageName}"\nimageid="${c.imageId}"\nrootless=${engine.rootless ? 1 : 0}\n`);

  const bind = (src: string, dst: string, ro = false) => ({ destination: dst, source: src, type: 'bind', options: ['bind', 'rprivate', ...(ro ? ['ro'] : [])] });
  const mounts = [
    bind(path.join(p.userdata, 'hosts'), '/etc/hosts'),
    bind(path.join(p.userdata, 'hostname'), '/etc/hostname'),
    bind(path.join(p.userdata, 'resolv.conf'), '/etc/resolv.conf'),
    bind(path.join(p.userdata, '.containerenv'), '/run/.containerenv'),
  ];
  if (cfg.timezone) {
    // as podman: a copy of the zone file in userdata, bind-mounted on /etc/localtime
    const zone = cfg.timezone === 'local' ? '/etc/localtime' : path.join('/usr/share/zoneinfo', cfg.timezone);
    await atomicWriteFile(path.join(p.userdata, 'localtime'), await fsp.readFile(zone));
    mounts.push(bind(path.join(p.userdata, 'localtime'), '/etc/localtime'));
  }
  const { specMounts } = await import('./mounts.js');
  mounts.push(...await specMounts(engine, c, rootfs, user));
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
      net: (cfg.network === 'none' ? 'private' : cfg.network) as 'private',
    },
    mounts, shmSize: 64 * 1024 * 1024, annotations: cfg.annotations, labels: cfg.labels,
    cgroupsPath: engine.rootless ? undefined : `/tsman/${c.id}`,
    stopSignal: cfg.stopSignal,
    init: cfg.init ? { path: '/usr/bin/catatonit' } : undefined,
  });
  await atomicWriteFile(path.join(p.bundle, 'config.json'), JSON.stringify(spec), 0o600);
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
