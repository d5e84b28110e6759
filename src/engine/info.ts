// `tsman info`: podman's Info struct. Built once with Go field names (what templates like
// `{{.Store.GraphRoot}}` address) and converted to podman's JSON keys for json/yaml output.
import { cgroups as cgroupManager } from './containers/cgroups.js';
import * as os from 'node:os';
import { readFileSync, existsSync, statfsSync } from 'node:fs';
import { childProcess } from '../util/builtin.js';
import type { Engine } from './index.js';
import { VERSION, API_VERSION } from '../version.js';
import { getIdMappings } from '../userns/index.js';

function osRelease(): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const line of readFileSync('/etc/os-release', 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m) out[m[1]!] = m[2]!.replace(/^"|"$/g, '');
    }
  } catch { /* not fatal */ }
  return out;
}

function versionOf(bin: string, args = ['--version']): string {
  try {
    return childProcess().execFileSync(bin, args, { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.trim();
  } catch {
    return '';
  }
}


function findBinary(names: string[]): string | undefined {
  const dirs = (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':').concat(['/usr/sbin', '/sbin', '/usr/libexec/podman']);
  for (const n of names) for (const d of dirs) if (existsSync(`${d}/${n}`)) return `${d}/${n}`;
  return undefined;
}

export async function info(engine: Engine): Promise<Record<string, unknown>> {
  const cfg = engine.config;
  const rel = osRelease();
  const state = engine.store.read();
  const maps = cfg.rootless ? getIdMappings(cfg.uid) : { uidMap: [], gidMap: [] };
  const manager = cgroupManager(engine);
  const cgroups = manager.detect();
  const toGo = (m: { containerId: number; hostId: number; size: number }) => ({ ContainerID: m.containerId, HostID: m.hostId, Size: m.size });
  const runtimeName = cfg.engine.runtime || 'runc';
  const runtimePath = findBinary([runtimeName]) ?? '';
  const conmonPath = findBinary(['conmon']) ?? '';
  const slirp = findBinary(['slirp4netns']) ?? '';
  let used = 0, total = 0;
  try {
    const st = statfsSync(existsSync(cfg.storage.graphroot) ? cfg.storage.graphroot : '/');
    total = st.blocks * st.bsize;
    used = (st.blocks - st.bfree) * st.bsize;
  } catch { /* ignore */ }
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return {
    Host: {
      Arch: arch,
      BuildahVersion: '',
      CgroupManager: manager.name,
      CgroupsVersion: cgroups.version,
      CgroupControllers: cgroups.controllers,
      Conmon: { Package: '', Path: conmonPath, Version: conmonPath ? versionOf(conmonPath) : '' },
      CPUs: os.cpus().length,
      CPUUtilization: { UserPercent: 0, SystemPercent: 0, IdlePercent: 100 },
      Distribution: { Distribution: rel.ID ?? 'unknown', Version: rel.VERSION_ID ?? '', Codename: rel.VERSION_CODENAME ?? '' },
      EventLogger: 'file',
      Hostname: os.hostname(),
      IDMappings: { GIDMap: maps.gidMap.map(toGo), UIDMap: maps.uidMap.map(toGo) },
      Kernel: os.release(),
      LogDriver: cfg.containers.log_driver ?? 'k8s-file',
      MemFree: os.freemem(),
      MemTotal: os.totalmem(),
      NetworkBackend: cfg.rootless ? 'slirp4netns' : 'netavark',
      OCIRuntime: { Name: runtimeName, Package: '', Path: runtimePath, Version: runtimePath ? versionOf(runtimePath) : '' },
      OS: 'linux',
      RemoteSocket: { Path: '', Exists: false },
      ServiceIsRemote: false,
      Security: {
        AppArmorEnabled: false,
        DefaultCapabilities: (cfg.containers.default_capabilities ?? []).map((c: string) => c.startsWith('CAP_') ? c : `CAP_${c}`).join(','),
        Rootless: cfg.rootless,
        SECCOMPEnabled: true,
        SECCOMPProfilePath: cfg.containers.seccomp_profile ?? '',
        SELinuxEnabled: false,
      },
      Slirp4NetNS: { Executable: slirp, Package: '', Version: slirp ? versionOf(slirp) : '' },
      SwapFree: 0,
      SwapTotal: 0,
      Uptime: `${Math.floor(os.uptime() / 3600)}h ${Math.floor(os.uptime() % 3600 / 60)}m ${Math.floor(os.uptime() % 60)}s`,
      Linkmode: 'dynamic',
    },
    Store: {
      ConfigFile: cfg.files.find((f) => f.endsWith('storage.conf')) ?? '',
      ContainerStore: { Number: 0, Paused: 0, Running: 0, Stopped: 0 },
      GraphDriverName: engine.store.driver.name,
      GraphOptions: {},
      GraphRoot: cfg.storage.graphroot,
      GraphRootAllocated: total,
      GraphRootUsed: used,
      GraphStatus: {},
      ImageCopyTmpDir: '/var/tmp',
      ImageStore: { Number: state.images.length },
      RunRoot: cfg.storage.runroot,
      VolumePath: `${cfg.storage.graphroot}/volumes`,
    },
    Registries: { Search: cfg.registries.unqualifiedSearchRegistries },
    Plugins: { Volume: ['local'], Network: ['bridge', 'macvlan'], Log: ['k8s-file', 'none', 'passthrough', 'journald'], Authorization: null },
    Version: versionInfo(),
  };
}

export function versionInfo(): Record<string, unknown> {
  return {
    APIVersion: API_VERSION,
    Version: VERSION,
    GoVersion: `node ${process.version}`,
    GitCommit: '',
    BuiltTime: 'Thu Jan  1 00:00:00 1970',
    Built: 0,
    OsArch: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
    Os: 'linux',
  };
}

const JSON_KEYS: Record<string, string> = {
  IDMappings: 'idMappings', UIDMap: 'uidmap', GIDMap: 'gidmap', ContainerID: 'container_id', HostID: 'host_id',
  OCIRuntime: 'ociRuntime', CPUs: 'cpus', CPUUtilization: 'cpuUtilization', SECCOMPEnabled: 'seccompEnabled',
  SECCOMPProfilePath: 'seccompProfilePath', SELinuxEnabled: 'selinuxEnabled', AppArmorEnabled: 'apparmorEnabled',
  Slirp4NetNS: 'slirp4netns', OS: 'os', CgroupsVersion: 'cgroupVersion', Linkmode: 'linkmode',
};

/** podman's json tags: lowerCamel with a few exceptions; the Version block keeps Go names. */
export function toJsonKeys(v: unknown, keepNames = false): unknown {
  if (Array.isArray(v)) return v.map((x) => toJsonKeys(x, keepNames));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    const key = keepNames ? k : (JSON_KEYS[k] ?? k.charAt(0).toLowerCase() + k.slice(1));
    out[key] = toJsonKeys(val, keepNames || k === 'Version' && typeof val === 'object');
  }
  return out;
}

/** A small YAML emitter for `tsman info` (podman prints YAML by default). */
export function toYaml(v: unknown, indent = ''): string {
  if (v === null || v === undefined) return 'null\n';
  if (typeof v !== 'object') return `${yamlScalar(v)}\n`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]\n';
    return '\n' + v.map((x) => {
      if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
        const body = toYaml(x, indent + '  ').replace(/^\n/, '');
        return `${indent}- ${body.slice(indent.length + 2)}`;
      }
      return `${indent}- ${toYaml(x, indent + '  ').replace(/^\n/, '')}`;
    }).join('');
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return '{}\n';
  return '\n' + entries.map(([k, val]) => {
    const nested = val !== null && typeof val === 'object' && (Array.isArray(val) ? val.length : Object.keys(val).length);
    const body = toYaml(val, indent + '  ');
    return nested ? `${indent}${k}:${body}` : `${indent}${k}: ${body}`;
  }).join('');
}

function yamlScalar(v: unknown): string {
  if (typeof v === 'string') {
    if (v === '' || /^[\s]|[\s]$|[:#{}[\],&*?|<>=!%@`'"]|^(true|false|null|yes|no|~|-?\d)/i.test(v)) return JSON.stringify(v);
    return v;
  }
  return String(v);
}
