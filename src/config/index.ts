// The whole configuration for one invocation: containers.conf, registries.conf and storage.conf as
// podman reads them, with the CLI's global flags on top. Runs on every command, so it only reads
// files (synchronously, a handful of them) and scans nothing but the .d directories.

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  loadContainersConf, shippedContainersConfPath,
  type ContainersSection, type EngineSection, type NetworkSection,
} from './containersconf.js';
import { loadRegistriesConf, type Registries } from './registriesconf.js';
import { loadStorageConf, type StorageConfig } from './storageconf.js';
import { hostEnv, resolvePaths, type HostOptions, type Paths } from './paths.js';
import { TsmanError } from '../errors.js';

export type { ContainersSection, EngineSection, NetworkSection, SubnetPool } from './containersconf.js';
export type {
  Alias, Registries, RegistryEntry, RegistryMirror, PullSource, ShortNameResolution, ShortNameMode,
} from './registriesconf.js';
export type { StorageConfig } from './storageconf.js';
export type { HostOptions, Paths } from './paths.js';
export { storageOption, storageOptions } from './storageconf.js';

/** The CLI's global flags that override the files. */
export interface ConfigOverrides {
  /** --root */
  root?: string;
  /** --runroot */
  runroot?: string;
  /** --storage-driver */
  storageDriver?: string;
  /** --storage-opt (repeatable); replaces the configured options; [''] clears them */
  storageOpts?: string[];
}

export interface Config {
  rootless: boolean;
  uid: number;
  paths: Paths;
  containers: ContainersSection;
  engine: EngineSection;
  network: NetworkSection;
  registries: Registries;
  storage: StorageConfig;
  /** every config file actually read, in order (for `tsman info`) */
  files: string[];
}

function detectCgroup2(): boolean {
  try {
    return fs.statSync('/sys/fs/cgroup/cgroup.controllers', { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Load the configuration with an explicit view of the host (environment, uid, system root) so tests
 * can simulate root and rootless users; {@link loadConfig} is this with the real process.
 */
export function loadConfigSync(overrides: ConfigOverrides = {}, host: HostOptions = {}): Config {
  const env = hostEnv(host);
  const paths = resolvePaths(host);
  const shipped = host.shippedConf === undefined ? shippedContainersConfPath() : host.shippedConf;
  const cc = loadContainersConf(paths, env, { shipped, cgroup2: host.cgroup2 ?? detectCgroup2() });
  const st = loadStorageConf(paths, env);
  // registries.conf only when a command resolves or pulls an image name (most never do)
  let reg: ReturnType<typeof loadRegistriesConf> | undefined;
  const registries = () => (reg ??= loadRegistriesConf(paths, env));

  const storage = st.storage;
  if (overrides.root) storage.graphroot = path.resolve(overrides.root);
  else if (st.relative.graphroot) throw new TsmanError('ECONFIG', st.relative.graphroot);
  if (overrides.runroot) storage.runroot = path.resolve(overrides.runroot);
  else if (st.relative.runroot) throw new TsmanError('ECONFIG', st.relative.runroot);
  if (overrides.storageDriver) storage.driver = overrides.storageDriver === 'overlay2' ? 'overlay' : overrides.storageDriver;
  if (overrides.storageOpts) storage.options = overrides.storageOpts.filter((o) => o !== '');

  // tsman's own state lives under <graphroot>/tsman so a graphroot can be shared with podman;
  // paths left empty are derived after --root is applied, as podman derives static_dir
  const engine = cc.conf.engine;
  if (!engine.static_dir) engine.static_dir = path.join(storage.graphroot, 'tsman');
  if (!engine.volume_path) engine.volume_path = path.join(engine.static_dir, 'volumes');
  if (!engine.tmp_dir) engine.tmp_dir = paths.rootless ? path.join(paths.runtimeDir, 'tsman', 'tmp') : '/run/tsman';
  const network = cc.conf.network;
  if (!network.network_config_dir) network.network_config_dir = path.join(engine.static_dir, 'networks');

  return {
    rootless: paths.rootless,
    uid: paths.uid,
    paths,
    containers: cc.conf.containers,
    engine,
    network,
    get registries() { return registries().registries; },
    storage,
    get files() { return [...cc.files, ...st.files, ...registries().files]; },
  };
}

export async function loadConfig(overrides: ConfigOverrides = {}): Promise<Config> {
  return loadConfigSync(overrides);
}
