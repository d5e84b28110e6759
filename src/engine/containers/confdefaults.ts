// containers.conf's [containers] (and [engine] pull_policy) as the defaults of create/run: podman
// reads each key as the default of its flag, so a flag given on the command line wins and the
// file fills in the rest. Which key is honoured where is in docs/containers-conf.md.
import { existsSync, accessSync, constants as fsc } from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../index.js';
import type { CreateOptions } from './create.js';
import type { ContainerConfig } from './types.js';
import { TsmanError } from '../../errors.js';
import { parseRamSize } from '../../config/containersconf.js';

/** containers/common's ProxyEnv: passed from tsman's environment when http_proxy is true */
export const PROXY_ENV = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'ftp_proxy', 'FTP_PROXY', 'no_proxy', 'NO_PROXY'];

/** What containers.conf adds to a container's record that no flag of tsman's sets. */
export type ConfOnly = Pick<ContainerConfig, 'shmSize' | 'umask' | 'cgroupns' | 'pidsLimit' | 'initPath'>;

function unsupported(key: string, value: string, want: string): never {
  throw new TsmanError('ECONFIG', `containers.conf [containers] ${key} = ${JSON.stringify(value)} is not supported by tsman: use ${want}`);
}

/** `name=soft:hard` → name, for overriding by name */
const ulimitName = (u: string): string => u.slice(0, Math.max(0, u.indexOf('=')));

/** A volume or mount flag's destination (its second field, or the one field of `-v /dest`). */
function destination(spec: string, mount: boolean): string | undefined {
  if (mount) {
    for (const kv of spec.split(',')) {
      const [k, v] = kv.split('=');
      if (k === 'target' || k === 'destination' || k === 'dst') return v && path.posix.normalize(v);
    }
    return undefined;
  }
  const parts = spec.split(':');
  const dest = parts.length === 1 || (parts.length === 2 && parts[0]!.startsWith('/') && /^[a-zA-Z,]+$/.test(parts[1]!)) ? parts[0] : parts[1];
  return dest && path.posix.normalize(dest);
}

/** The first executable of a list of paths (containers.conf's conmon_path, runtimes, ...). */
export function firstExecutable(paths: readonly string[]): string | undefined {
  for (const p of paths) {
    try {
      if (!existsSync(p)) continue;
      accessSync(p, fsc.X_OK);
      return p;
    } catch { /* next */ }
  }
  return undefined;
}

/** catatonit for --init: init_path, else helper_binaries_dir, else $PATH (podman's order). */
function initBinary(engine: Engine): string {
  const conf = engine.config;
  if (conf.containers.init_path) return conf.containers.init_path;
  const dirs = [...conf.engine.helper_binaries_dir, ...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/bin', '/usr/libexec/podman'];
  const found = firstExecutable(dirs.map((d) => path.join(d, 'catatonit')));
  if (!found) {
    throw new TsmanError('ECONFIG', 'container-init binary not found on the host: catatonit: no such file or directory',
      { hint: 'install catatonit, or set [containers] init_path in containers.conf' });
  }
  return found;
}

/**
 * The create options with containers.conf's defaults filled in (the flags win), and what the file
 * sets that no flag does (recorded with the container, as podman records it at create).
 */
export function withContainersConf(engine: Engine, o: CreateOptions): { opts: CreateOptions; confOnly: ConfOnly } {
  const c = engine.config.containers;
  const opts: CreateOptions = { ...o };

  opts.annotations = [...c.annotations, ...o.annotations];
  const flagUlimits = new Set(o.ulimits.map(ulimitName));
  opts.ulimits = [...c.default_ulimits.filter((u) => !flagUlimits.has(ulimitName(u))), ...o.ulimits];
  if (o.tz === undefined && c.tz !== '') opts.tz = c.tz;
  opts.init = o.init || c.init;
  opts.readOnly = o.readOnly || c.read_only;
  opts.noHosts = o.noHosts || c.no_hosts;
  if (o.logDriver === undefined) opts.logDriver = c.log_driver;
  if (c.log_size_max > 0 && !(o.logOpts ?? []).some((l) => l.startsWith('max-size='))) {
    opts.logOpts = [...(o.logOpts ?? []), `max-size=${c.log_size_max}`];
  }
  if (o.pull === '') opts.pull = engine.config.engine.pull_policy;

  // namespaces: podman's words for the defaults; tsman's create checks what it supports
  if (o.pid === undefined && c.pidns !== 'private') opts.pid = c.pidns;
  if (o.uts === undefined && c.utsns !== 'private') opts.uts = c.utsns;
  if (o.ipc === undefined && c.ipcns !== 'private' && c.ipcns !== 'shareable') {
    if (c.ipcns !== 'host' && !c.ipcns.startsWith('container:')) unsupported('ipcns', c.ipcns, 'private, shareable or host');
    opts.ipc = c.ipcns;
  }
  if (o.userns === undefined && c.userns !== 'host' && c.userns !== '') opts.userns = c.userns;
  if (o.network === undefined && c.netns !== 'private' && c.netns !== '') opts.network = c.netns;

  // resolv.conf: the file's servers, searches and options unless a flag sets them (a container
  // without a network, or sharing another's, has no resolv.conf of its own to put them in)
  const net = opts.network ?? '';
  if (net !== 'none' && !net.startsWith('container:')) {
    if (!o.dns?.length && c.dns_servers.length) opts.dns = c.dns_servers;
    if (!o.dnsSearch?.length && c.dns_searches.length) opts.dnsSearch = c.dns_searches;
    if (!o.dnsOption?.length && c.dns_options.length) opts.dnsOption = c.dns_options;
  }

  // volumes: the file's first, less any whose destination a flag mounts something else on
  const taken = new Set([...(o.volumes ?? []).map((v) => destination(v, false)), ...(o.mounts ?? []).map((m) => destination(m, true))]);
  opts.volumes = [...c.volumes.filter((v) => !taken.has(destination(v, false))), ...(o.volumes ?? [])];

  if (c.devices.length) {
    o.warn(`containers.conf [containers] devices is not supported by tsman (no --device): ${c.devices.join(', ')} not added`);
  }
  if (c.base_hosts_file !== '') {
    o.warn(`containers.conf [containers] base_hosts_file is not supported by tsman: ${JSON.stringify(c.base_hosts_file)} ignored`);
  }

  const confOnly: ConfOnly = {
    shmSize: parseRamSize(c.shm_size),
    umask: c.umask,
    cgroupns: c.cgroupns === 'host' ? 'host' : 'private',
  };
  if (c.cgroupns !== 'host' && c.cgroupns !== 'private') unsupported('cgroupns', c.cgroupns, 'private or host');
  // pids.max is a cgroup setting: root only (rootless containers get no cgroup of their own here)
  if (!engine.rootless) confOnly.pidsLimit = c.pids_limit;
  if (opts.init) confOnly.initPath = initBinary(engine);
  return { opts, confOnly };
}

/** The proxy variables of tsman's own environment (containers.conf http_proxy = true). */
export function proxyEnv(engine: Engine): string[] {
  if (!engine.config.containers.http_proxy) return [];
  return PROXY_ENV.filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`);
}
