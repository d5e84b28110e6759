// ps rows and inspect JSON with podman's field names.
import { promises as fsp, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { portsColumn, portBindings } from '../../network/ports.js';
import { readNetStateSync } from '../../network/setup.js';
import type { Engine } from '../index.js';
import type { ContainerRecord, ContainerState } from './types.js';
import { ContainerPaths } from './paths.js';
import { timeAgo, humanDuration, goTimeString, humanSize } from '../../util/human.js';

function shellJoin(argv: string[]): string {
  return argv.join(' ');
}

export function statusText(st: ContainerState): string {
  switch (st.status) {
    case 'running': return `Up ${humanDuration(Date.now() - Date.parse(st.startedAt ?? new Date().toISOString()))} ago`;
    case 'paused': return 'Paused';
    case 'exited':
    case 'stopped': return `Exited (${st.exitCode ?? 0}) ${timeAgo(st.finishedAt ?? new Date().toISOString())}`;
    case 'removing': return 'Removing';
    default: return 'Created';
  }
}

export function psRow(c: ContainerRecord, st: ContainerState, noTrunc: boolean): Record<string, unknown> {
  const cmd = shellJoin(c.config.command);
  return {
    ID: noTrunc ? c.id : c.id.slice(0, 12),
    Id: c.id,
    Image: c.imageName,
    ImageID: c.imageId,
    Command: noTrunc || cmd.length <= 17 ? cmd : cmd.slice(0, 17) + '...',
    CreatedHuman: timeAgo(c.created),
    Created: timeAgo(c.created),
    CreatedAt: goTimeString(c.created),
    Status: statusText(st),
    State: st.status,
    Ports: portsColumn(c.config.ports ?? []),
    Names: c.name,
    Labels: c.config.labels,
    Mounts: [],
    Pid: st.pid ?? 0,
    ExitCode: st.exitCode ?? 0,
    Exited: st.status === 'exited',
    Size: '',
    Pod: '',
    PodName: '',
    Networks: Object.keys(c.config.networks ?? {}),
    IsInfra: false,
    StartedAt: st.startedAt ? Math.floor(Date.parse(st.startedAt) / 1000) : 0,
    _created: Date.parse(c.created),
  };
}

export function psJson(c: ContainerRecord, st: ContainerState): Record<string, unknown> {
  return {
    AutoRemove: c.config.autoRemove,
    Command: c.config.command,
    Created: c.created,
    CreatedAt: timeAgo(c.created),
    Exited: st.status === 'exited',
    ExitedAt: st.finishedAt ? Math.floor(Date.parse(st.finishedAt) / 1000) : -62135596800,
    ExitCode: st.exitCode ?? 0,
    Id: c.id,
    Image: c.imageName,
    ImageID: c.imageId,
    IsInfra: false,
    Labels: Object.keys(c.config.labels).length ? c.config.labels : null,
    Mounts: [],
    Names: [c.name],
    Namespaces: {},
    Networks: Object.keys(c.config.networks ?? {}),
    Pid: st.pid ?? 0,
    Pod: '',
    PodName: '',
    Ports: c.config.ports?.length ? c.config.ports : null,
    Size: null,
    StartedAt: st.startedAt ? Math.floor(Date.parse(st.startedAt) / 1000) : -62135596800,
    State: st.status,
    Status: statusText(st),
    Created_: undefined,
  };
}

export function inspectJson(engine: Engine, c: ContainerRecord, st: ContainerState): Record<string, unknown> {
  const p = new ContainerPaths(engine.store, c.id);
  const cfg = c.config;
  const zero = '0001-01-01T00:00:00Z';
  return {
    Id: c.id,
    Created: c.created,
    Path: cfg.command[0] ?? '',
    Args: cfg.command.slice(1),
    State: {
      OciVersion: '1.0.2-dev',
      Status: st.status,
      Running: st.status === 'running',
      Paused: st.status === 'paused',
      Restarting: false,
      OOMKilled: st.oomKilled ?? false,
      Dead: false,
      Pid: st.status === 'running' || st.status === 'paused' ? st.pid ?? 0 : 0,
      ConmonPid: st.status === 'running' || st.status === 'paused' ? st.conmonPid ?? 0 : 0,
      ExitCode: st.exitCode ?? 0,
      Error: st.error ?? '',
      StartedAt: st.startedAt ?? zero,
      FinishedAt: st.finishedAt ?? zero,
      Health: { Status: '', FailingStreak: 0, Log: null },
      CheckpointedAt: zero,
      RestoredAt: zero,
    },
    Image: c.imageId,
    ImageName: c.imageName,
    Rootfs: c.config.rootfs ?? '',
    Pod: '',
    ResolvConfPath: `${p.userdata}/resolv.conf`,
    HostnamePath: `${p.userdata}/hostname`,
    HostsPath: `${p.userdata}/hosts`,
    StaticDir: p.userdata,
    OCIConfigPath: `${p.userdata}/config.json`,
    OCIRuntime: c.config.ociRuntime ?? 'runc',
    ConmonPidFile: p.conmonPidFile,
    PidFile: p.pidFile,
    Name: c.name,
    RestartCount: st.restartCount ?? 0,
    Driver: engine.store.driver.name,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    EffectiveCaps: null,
    BoundingCaps: null,
    ExecIDs: [],
    GraphDriver: { Name: engine.store.driver.name, Data: { UpperDir: p.diff, WorkDir: p.work, MergedDir: p.merged } },
    Mounts: (cfg.mounts ?? []).filter((m) => m.type === 'bind' || m.type === 'volume').map((m) => ({
      Type: m.type,
      ...(m.type === 'volume' ? { Name: m.source } : {}),
      Source: m.type === 'volume' ? `${engine.store.dir}/volumes/${m.source}/_data` : m.source,
      Destination: m.destination,
      Driver: m.type === 'volume' ? 'local' : '',
      Mode: '',
      Options: m.options.filter((o) => !['ro', 'rw'].includes(o)).concat(m.type === 'bind' ? ['rbind'] : ['nosuid', 'nodev', 'rbind']),
      RW: !m.options.includes('ro'),
      Propagation: m.type === 'bind' ? 'rprivate' : '',
    })),
    Dependencies: [],
    NetworkSettings: networkSettings(engine, c, st),
    Namespace: '',
    IsInfra: false,
    IsService: false,
    Config: {
      Hostname: cfg.hostname,
      Domainname: '',
      User: cfg.user,
      AttachStdin: cfg.interactive,
      AttachStdout: false,
      AttachStderr: false,
      Tty: cfg.tty,
      OpenStdin: cfg.interactive,
      StdinOnce: false,
      Env: cfg.env,
      Cmd: cfg.cmd.length ? cfg.cmd : null,
      Image: c.imageName,
      Volumes: null,
      WorkingDir: cfg.workdir,
      Entrypoint: cfg.entrypoint.join(' '),
      OnBuild: null,
      Labels: Object.keys(cfg.labels).length ? cfg.labels : null,
      Annotations: cfg.annotations,
      StopSignal: signalNumber(cfg.stopSignal),
      CreateCommand: [],
      Umask: cfg.umask ?? '0022',
      Timeout: 0,
      StopTimeout: cfg.stopTimeout,
      Timezone: cfg.timezone ?? '',
      Passwd: true,
    },
    HostConfig: {
      Binds: [],
      CgroupManager: 'cgroupfs',
      CgroupMode: cfg.cgroupns ?? 'host',
      ShmSize: cfg.shmSize ?? 64 * 1024 * 1024,
      PidsLimit: cfg.pidsLimit ?? 0,
      ContainerIDFile: '',
      LogConfig: { Type: cfg.logDriver, Config: null, Path: cfg.logPath ?? p.log, Tag: cfg.logTag ?? '', Size: cfg.logSizeMax ? String(cfg.logSizeMax) + 'B' : '0B' },
      NetworkMode: cfg.network,
      PortBindings: portBindings(cfg.ports ?? []),
      RestartPolicy: { Name: cfg.restartPolicy === 'no' ? '' : cfg.restartPolicy, MaximumRetryCount: cfg.restartRetries },
      AutoRemove: cfg.autoRemove,
      CapAdd: cfg.capAdd,
      CapDrop: cfg.capDrop,
      Privileged: cfg.privileged,
      ReadonlyRootfs: cfg.readOnly,
      SecurityOpt: [],
      Tmpfs: cfg.tmpfs,
      Ulimits: cfg.ulimits.map((u) => ({ Name: `RLIMIT_${u.name.toUpperCase()}`, Soft: u.soft, Hard: u.hard })),
      Init: cfg.init,
      IpcMode: cfg.ipc,
      PidMode: cfg.pid,
      UTSMode: cfg.uts,
    },
  };
}

function networkSettings(engine: Engine, c: ContainerRecord, st: ContainerState): Record<string, unknown> {
  const running = st.status === 'running' || st.status === 'paused';
  const net = running ? readNetStateSync(engine, c.id) : undefined;
  const bridge = net?.mode === 'bridge' ? net.ifaces : [];
  const first = bridge[0];
  const ports: Record<string, unknown> = {};
  for (const e of c.config.exposedPorts ?? []) ports[e.includes('/') ? e : `${e}/tcp`] = null;
  Object.assign(ports, portBindings(c.config.ports ?? []));
  const out: Record<string, unknown> = {
    EndpointID: '', Gateway: first?.gateway ?? '', IPAddress: first?.ip ?? '', IPPrefixLen: first?.prefix ?? 0,
    IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: first?.mac ?? '', Bridge: '', SandboxID: '',
    HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, Ports: ports, SandboxKey: net?.nsPath ?? '',
  };
  if (c.config.networks) {
    const nets: Record<string, unknown> = {};
    for (const [name, o] of Object.entries(c.config.networks)) {
      const i = bridge.find((x) => x.network === name);
      nets[name] = {
        EndpointID: '', Gateway: i?.gateway ?? '', IPAddress: i?.ip ?? '', IPPrefixLen: i?.prefix ?? 0, IPv6Gateway: '',
        GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: i?.mac ?? '', NetworkID: name, DriverOpts: null,
        IPAMConfig: null, Links: null, Aliases: [c.id.slice(0, 12), ...(o.aliases ?? [])],
      };
    }
    out['Networks'] = nets;
  }
  return out;
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19,
  SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28,
  SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

/** "TERM", "SIGTERM", "15" -> 15; undefined for an unknown signal. */
export function signalNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) { const n = Number(s); return n >= 1 && n <= 64 ? n : undefined; }
  const up = s.toUpperCase();
  const name = up.startsWith('SIG') ? up : `SIG${up}`;
  if (/^SIGRTMIN\+(\d+)$/.test(name)) return 34 + Number(name.slice(9));
  return SIGNALS[name];
}

export function signalName(n: number): string {
  return Object.entries(SIGNALS).find(([, v]) => v === n)?.[0] ?? String(n);
}

/** `ps -s`: bytes in the container's writable layer, and that plus its image (podman's "virtual"). */
export async function containerSizes(engine: Engine, c: ContainerRecord): Promise<{ rwSize: number; rootFsSize: number }> {
  const seen = new Set<string>();
  const du = async (dir: string): Promise<number> => {
    let total = 0;
    let entries: Dirent[];
    try { entries = await fsp.readdir(dir, { withFileTypes: true }); } catch { return 0; }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { total += await du(p); continue; }
      try {
        const st = await fsp.lstat(p);
        const key = `${st.dev}:${st.ino}`;
        if (st.nlink > 1) { if (seen.has(key)) continue; seen.add(key); }
        if (st.isFile() || st.isSymbolicLink()) total += st.size;
      } catch { /* gone meanwhile */ }
    }
    return total;
  };
  const rwSize = await du(new ContainerPaths(engine.store, c.id).diff);
  const img = engine.store.read().images.find((i) => i.id === c.imageId);
  return { rwSize, rootFsSize: rwSize + (img?.size ?? 0) };
}

export function sizeText(s: { rwSize: number; rootFsSize: number }): string {
  const h = (n: number): string => humanSize(n).replace(' ', '');
  return `${h(s.rwSize)} (virtual ${h(s.rootFsSize)})`;
}
