// containers.conf(5), read as containers/common's pkg/config reads it: built-in defaults, then each
// file in the search order overriding key by key. Unknown keys and sections ([machine], [secrets],
// [engine.volume_plugins], ...) are ignored; a known key with the wrong type is an error, as it is
// for podman's TOML decoder.

import * as path from 'node:path';
import { PACKAGE_ROOT } from '../util/selfpath.js';
import { TsmanError } from '../errors.js';
import { parseCidr, parseIp } from '../util/ipnet.js';
import {
  checkValue, dropInFiles, fileExists, isTable, readTomlFile, tomlType,
  type FieldType, type Paths, type TomlTable,
} from './paths.js';

export interface ContainersSection {
  annotations: string[];
  base_hosts_file: string;
  cgroupns: string;
  /** normalized to CAP_-prefixed upper case, as podman does */
  default_capabilities: string[];
  default_ulimits: string[];
  devices: string[];
  dns_options: string[];
  dns_searches: string[];
  dns_servers: string[];
  env: string[];
  http_proxy: boolean;
  init: boolean;
  /** "" = look for catatonit in engine.helper_binaries_dir, then $PATH */
  init_path: string;
  ipcns: string;
  label: boolean;
  log_driver: string;
  log_size_max: number;
  netns: string;
  no_hosts: boolean;
  pidns: string;
  pids_limit: number;
  read_only: boolean;
  /** "" = the runtime's built-in default profile */
  seccomp_profile: string;
  shm_size: string;
  tz: string;
  umask: string;
  userns: string;
  utsns: string;
  volumes: string[];
}

export interface EngineSection {
  /** "" = derived by the cgroup layer (systemd when a user session bus is reachable, else cgroupfs) */
  cgroup_manager: string;
  compat_api_enforce_docker_hub: boolean;
  conmon_path: string[];
  events_logger: string;
  helper_binaries_dir: string[];
  image_default_transport: string;
  /** "" = tsman's built-in pause image */
  infra_image: string;
  network_cmd_path: string;
  num_locks: number;
  pull_policy: string;
  /** "" = auto: crun on a pure cgroup v2 host when installed, else runc */
  runtime: string;
  runtimes: Record<string, string[]>;
  /** "" = <graphroot>/tsman (filled in by loadConfig) */
  static_dir: string;
  stop_timeout: number;
  /** "" = /run/tsman (root) or <runtime dir>/tsman/tmp (rootless) (filled in by loadConfig) */
  tmp_dir: string;
  /** "" = <static_dir>/volumes (filled in by loadConfig) */
  volume_path: string;
}

export interface SubnetPool {
  base: string;
  size: number;
}

export interface NetworkSection {
  cni_plugin_dirs: string[];
  default_network: string;
  default_rootless_network_cmd: string;
  default_subnet: string;
  default_subnet_pools: SubnetPool[];
  /** "" = auto */
  network_backend: string;
  /** "" = <static_dir>/networks (filled in by loadConfig) */
  network_config_dir: string;
}

export interface ContainersConf {
  containers: ContainersSection;
  engine: EngineSection;
  network: NetworkSection;
}

type Schema<T> = { [K in keyof T]-?: FieldType | 'subnet_pools' };

const CONTAINERS_SCHEMA: Schema<ContainersSection> = {
  annotations: 'string[]', base_hosts_file: 'string', cgroupns: 'string', default_capabilities: 'string[]',
  default_ulimits: 'string[]', devices: 'string[]', dns_options: 'string[]', dns_searches: 'string[]',
  dns_servers: 'string[]', env: 'string[]', http_proxy: 'boolean', init: 'boolean', init_path: 'string',
  ipcns: 'string', label: 'boolean', log_driver: 'string', log_size_max: 'integer', netns: 'string',
  no_hosts: 'boolean', pidns: 'string', pids_limit: 'integer', read_only: 'boolean', seccomp_profile: 'string',
  shm_size: 'string', tz: 'string', umask: 'string', userns: 'string', utsns: 'string', volumes: 'string[]',
};

const ENGINE_SCHEMA: Schema<EngineSection> = {
  cgroup_manager: 'string', compat_api_enforce_docker_hub: 'boolean', conmon_path: 'string[]',
  events_logger: 'string', helper_binaries_dir: 'string[]', image_default_transport: 'string',
  infra_image: 'string', network_cmd_path: 'string', num_locks: 'uint', pull_policy: 'string', runtime: 'string',
  runtimes: 'map<string[]>', static_dir: 'string', stop_timeout: 'uint', tmp_dir: 'string', volume_path: 'string',
};

const NETWORK_SCHEMA: Schema<NetworkSection> = {
  cni_plugin_dirs: 'string[]', default_network: 'string', default_rootless_network_cmd: 'string',
  default_subnet: 'string', default_subnet_pools: 'subnet_pools', network_backend: 'string',
  network_config_dir: 'string',
};

export const SCHEMA = { containers: CONTAINERS_SCHEMA, engine: ENGINE_SCHEMA, network: NETWORK_SCHEMA } as const;

/** Values a key may take, checked per file so the message can name it (podman validates these too). */
const ENUMS: Record<string, readonly string[]> = {
  'engine.cgroup_manager': ['', 'systemd', 'cgroupfs'],
  'engine.events_logger': ['file', 'journald', 'none'],
  'engine.pull_policy': ['always', 'missing', 'never', 'newer'],
  'network.network_backend': ['', 'netavark', 'cni'],
};

/** the spellings podman's ParsePullPolicy accepts */
const PULL_POLICY_ALIASES: Record<string, string> = {
  always: 'always', missing: 'missing', ifnotpresent: 'missing', '': 'missing', never: 'never', newer: 'newer', ifnewer: 'newer',
};

/** podman 4.3's defaults, with tsman's choices where noted on the fields; see containers.conf. */
export function defaultContainersConf(opts: { cgroup2: boolean }): ContainersConf {
  return {
    containers: {
      annotations: [],
      base_hosts_file: '',
      cgroupns: opts.cgroup2 ? 'private' : 'host',
      default_capabilities: [
        'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP',
        'SETUID', 'SYS_CHROOT',
      ],
      default_ulimits: [],
      devices: [],
      dns_options: [],
      dns_searches: [],
      dns_servers: [],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      http_proxy: true,
      init: false,
      init_path: '',
      ipcns: 'shareable',
      label: true,
      log_driver: 'k8s-file',
      log_size_max: -1,
      netns: 'private',
      no_hosts: false,
      pidns: 'private',
      pids_limit: 2048,
      read_only: false,
      seccomp_profile: '',
      shm_size: '65536k',
      tz: '',
      umask: '0022',
      userns: 'host',
      utsns: 'private',
      volumes: [],
    },
    engine: {
      cgroup_manager: '',
      compat_api_enforce_docker_hub: true,
      conmon_path: [
        '/usr/libexec/podman/conmon', '/usr/local/libexec/podman/conmon', '/usr/local/lib/podman/conmon',
        '/usr/bin/conmon', '/usr/sbin/conmon', '/usr/local/bin/conmon', '/usr/local/sbin/conmon',
        '/run/current-system/sw/bin/conmon',
      ],
      events_logger: 'file',
      helper_binaries_dir: ['/usr/local/libexec/podman', '/usr/local/lib/podman', '/usr/libexec/podman', '/usr/lib/podman'],
      image_default_transport: 'docker://',
      infra_image: '',
      network_cmd_path: '',
      num_locks: 2048,
      pull_policy: 'missing',
      runtime: '',
      runtimes: {
        crun: ['/usr/bin/crun', '/usr/sbin/crun', '/usr/local/bin/crun', '/usr/local/sbin/crun', '/sbin/crun', '/bin/crun', '/run/current-system/sw/bin/crun'],
        runc: ['/usr/bin/runc', '/usr/sbin/runc', '/usr/local/bin/runc', '/usr/local/sbin/runc', '/sbin/runc', '/bin/runc', '/usr/lib/cri-o-runc/sbin/runc', '/run/current-system/sw/bin/runc'],
        runsc: ['/usr/bin/runsc', '/usr/sbin/runsc', '/usr/local/bin/runsc', '/usr/local/sbin/runsc', '/bin/runsc', '/sbin/runsc', '/run/current-system/sw/bin/runsc'],
        kata: ['/usr/bin/kata-runtime', '/usr/sbin/kata-runtime', '/usr/local/bin/kata-runtime', '/usr/local/sbin/kata-runtime', '/sbin/kata-runtime', '/bin/kata-runtime', '/usr/bin/kata-qemu', '/usr/bin/kata-fc'],
        krun: ['/usr/bin/krun', '/usr/local/bin/krun'],
      },
      static_dir: '',
      stop_timeout: 10,
      tmp_dir: '',
      volume_path: '',
    },
    network: {
      cni_plugin_dirs: ['/usr/local/libexec/cni', '/usr/libexec/cni', '/usr/local/lib/cni', '/usr/lib/cni', '/opt/cni/bin'],
      default_network: 'podman',
      default_rootless_network_cmd: 'slirp4netns',
      default_subnet: '10.88.0.0/16',
      default_subnet_pools: [
        { base: '10.89.0.0/16', size: 24 },
        { base: '10.90.0.0/15', size: 24 },
        { base: '10.92.0.0/14', size: 24 },
        { base: '10.96.0.0/11', size: 24 },
        { base: '10.128.0.0/9', size: 24 },
      ],
      network_backend: '',
      network_config_dir: '',
    },
  };
}

/** The documented defaults file at the repo root (dist/src/config/ -> ../../../containers.conf). */
export function shippedContainersConfPath(): string {
  return path.join(PACKAGE_ROOT, 'containers.conf');
}

/**
 * The files podman 4.3 would read, in order (existing ones only), after the shipped defaults.
 * CONTAINERS_CONF replaces the chain (and must exist); CONTAINERS_CONF_OVERRIDE comes last.
 */
export function containersConfFiles(paths: Paths, env: NodeJS.ProcessEnv, shipped: string | null): string[] {
  const files: string[] = [];
  if (shipped && fileExists(shipped)) files.push(shipped);
  const explicit = env.CONTAINERS_CONF;
  if (explicit) {
    if (!fileExists(explicit)) throw new TsmanError('ECONFIG', `CONTAINERS_CONF file \`${explicit}\`: ENOENT`);
    files.push(explicit);
  } else {
    for (const f of [path.join(paths.vendorConfigDir, 'containers.conf'), path.join(paths.systemConfigDir, 'containers.conf')]) {
      if (fileExists(f)) files.push(f);
    }
    files.push(...dropInFiles(path.join(paths.systemConfigDir, 'containers.conf.d')));
    if (paths.rootless) {
      const user = path.join(paths.userConfigDir, 'containers.conf');
      if (fileExists(user)) files.push(user);
      files.push(...dropInFiles(user + '.d'));
    }
  }
  const override = env.CONTAINERS_CONF_OVERRIDE;
  if (override) {
    if (!fileExists(override)) throw new TsmanError('ECONFIG', `CONTAINERS_CONF_OVERRIDE file \`${override}\`: ENOENT`);
    files.push(override);
  }
  return files;
}

function checkSubnetPools(where: string, v: unknown): SubnetPool[] {
  if (!Array.isArray(v)) throw new TsmanError('ECONFIG', `${where}: expected array of tables, got ${tomlType(v)}`);
  return v.map((p, i) => {
    if (!isTable(p)) throw new TsmanError('ECONFIG', `${where}[${i}]: expected table, got ${tomlType(p)}`);
    return {
      base: checkValue(`${where}[${i}].base`, 'string', p.base) as string,
      size: checkValue(`${where}[${i}].size`, 'uint', p.size) as number,
    };
  });
}

/** Apply one parsed file onto `conf` in place. */
export function mergeContainersConf(conf: ContainersConf, file: string, doc: TomlTable): void {
  for (const section of ['containers', 'engine', 'network'] as const) {
    const table = doc[section];
    if (table === undefined) continue;
    if (!isTable(table)) throw new TsmanError('ECONFIG', `${file}: [${section}]: expected table, got ${tomlType(table)}`);
    const schema = SCHEMA[section] as Record<string, FieldType | 'subnet_pools'>;
    const target = conf[section] as unknown as Record<string, unknown>;
    for (const [key, raw] of Object.entries(table)) {
      const type = schema[key];
      if (type === undefined) continue;
      const where = `${file}: [${section}] ${key}`;
      let value = type === 'subnet_pools' ? checkSubnetPools(where, raw) : checkValue(where, type, raw);
      if (key === 'pull_policy') value = PULL_POLICY_ALIASES[(value as string).toLowerCase()] ?? value;
      const allowed = ENUMS[`${section}.${key}`];
      if (allowed && !allowed.includes(value as string)) {
        throw new TsmanError('ECONFIG', `${where}: invalid value ${JSON.stringify(value)} (want one of ${allowed.filter(Boolean).join(', ')})`);
      }
      if (key === 'umask' && !/^[0-7]{1,4}$/.test(value as string)) {
        throw new TsmanError('ECONFIG', `${where}: invalid umask ${JSON.stringify(value)}`);
      }
      validateValue(where, `${section}.${key}`, value);
      // podman's decoder merges TOML tables into existing maps and replaces everything else
      target[key] = type.startsWith('map<') ? { ...(target[key] as object), ...(value as object) } : value;
    }
  }
}

/** go-units' ulimit names (podman's --ulimit and default_ulimits) */
const ULIMIT_NAMES = new Set([
  'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio',
  'rttime', 'sigpending', 'stack',
]);

/** go's strconv.ParseInt(s, 10, 64), with its error text */
function parseInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

export interface Ulimit { name: string; soft: number; hard: number }

/** go-units' ParseUlimit: `name=soft[:hard]`, -1 for unlimited; its messages. */
export function parseUlimit(val: string): Ulimit {
  const eq = val.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${val}`);
  const name = val.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) throw new Error(`invalid ulimit type: ${name}`);
  const vals = val.slice(eq + 1).split(':');
  if (vals.length > 2) throw new Error(`too many limit value arguments - ${val.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const hard = vals.length === 2 ? parseInt64(vals[1]!) : undefined;
  const soft = parseInt64(vals[0]!);
  const h = hard ?? soft;
  if (h !== -1 && soft > h) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${h}`);
  return { name, soft, hard: h };
}

/** go-units' RAMInBytes ("65536k", "64m", "1g", "100"), undefined when it is not a size. */
export function parseRamSize(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(s);
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[(m[2] ?? '').toLowerCase()]!;
  return Math.floor(Number(m[1]) * mult);
}

/** Where a `tz` value's zone file is (podman looks in these two), undefined if none. */
export function zoneFile(tz: string): string | undefined {
  for (const dir of ['/usr/share/zoneinfo', '/etc/zoneinfo']) {
    const f = path.join(dir, tz);
    if (fileExists(f)) return f;
  }
  return undefined;
}

/** podman's conmon reads the log in 8 KiB chunks: a smaller positive limit cannot work */
const OCI_BUF_SIZE = 8192;

/**
 * Values podman's config validation refuses (containers/common ContainersConfig.Validate,
 * NetworkConfig's subnet checks, EngineConfig's absolute paths), with its messages after the
 * file and key. Checked at load, for every command, as podman does.
 */
function validateValue(where: string, key: string, value: unknown): void {
  const fail = (msg: string): never => { throw new TsmanError('ECONFIG', `${where}: ${msg}`); };
  switch (key) {
    case 'containers.default_ulimits':
      for (const u of value as string[]) {
        try { parseUlimit(u); } catch (err) { fail(`unrecognized ulimit ${u}: ${(err as Error).message}`); }
      }
      break;
    case 'containers.dns_servers':
      for (const d of value as string[]) if (!parseIp(d)) fail(`${d} is not an ip address`);
      break;
    case 'containers.tz': {
      const tz = value as string;
      if (tz !== '' && tz !== 'local' && !zoneFile(tz)) fail(`find timezone ${tz} in paths: /usr/share/zoneinfo, /etc/zoneinfo`);
      break;
    }
    case 'containers.shm_size':
      if (parseRamSize(value as string) === undefined) fail(`invalid --shm-size ${value as string}, "invalid size: '${value as string}'"`);
      break;
    case 'containers.log_size_max':
      if ((value as number) >= 0 && (value as number) < OCI_BUF_SIZE) fail(`log size max should be negative or >= ${OCI_BUF_SIZE}`);
      break;
    case 'network.default_subnet':
      try { parseCidr(value as string); } catch (err) { fail(`failed to parse default subnet: ${(err as Error).message}`); }
      break;
    case 'network.default_subnet_pools':
      for (const [i, p] of (value as SubnetPool[]).entries()) {
        let bits = 0;
        try { bits = parseCidr(p.base).family === 4 ? 32 : 128; } catch (err) { fail(`[${i}] base: ${(err as Error).message}`); }
        if (p.size > bits) fail(`[${i}] size: ${p.size} is larger than a ${bits}-bit address`);
      }
      break;
    case 'engine.static_dir':
      if (value && !path.isAbsolute(value as string)) fail(`static directory must be an absolute path - instead got ${JSON.stringify(value)}`);
      break;
    case 'engine.tmp_dir':
      if (value && !path.isAbsolute(value as string)) fail(`temporary directory must be an absolute path - instead got ${JSON.stringify(value)}`);
      break;
    case 'engine.volume_path':
      if (value && !path.isAbsolute(value as string)) fail(`volume path must be an absolute path - instead got ${JSON.stringify(value)}`);
      break;
  }
}

function normalizeCapabilities(caps: string[]): string[] {
  return caps.map((c) => {
    const up = c.trim().toUpperCase();
    return up.startsWith('CAP_') ? up : `CAP_${up}`;
  });
}

export interface LoadedContainersConf {
  conf: ContainersConf;
  files: string[];
}

export function loadContainersConf(
  paths: Paths,
  env: NodeJS.ProcessEnv,
  opts: { shipped: string | null; cgroup2: boolean },
): LoadedContainersConf {
  const conf = defaultContainersConf({ cgroup2: opts.cgroup2 });
  const read: string[] = [];
  for (const file of containersConfFiles(paths, env, opts.shipped)) {
    const doc = readTomlFile(file);
    if (doc === undefined) continue; // removed since we looked: podman ignores that race too
    mergeContainersConf(conf, file, doc);
    read.push(file);
  }
  conf.containers.default_capabilities = normalizeCapabilities(conf.containers.default_capabilities);
  return { conf, files: read };
}
