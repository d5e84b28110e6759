// storage.conf(5), read as containers/storage's types.DefaultStoreOptions reads it.
//
// root:     CONTAINERS_STORAGE_CONF, else /etc/containers/storage.conf, else
//           /usr/share/containers/storage.conf.
// rootless: defaults come from that system file, but only rootless_storage_path (the graphroot),
//           a rootless-capable driver, and overlay's ignore_chown_errors carry over -- never its
//           graphroot or runroot, which belong to root. Then the user's file
//           (CONTAINERS_STORAGE_CONF, else $XDG_CONFIG_HOME/containers/storage.conf), when it
//           exists, replaces those defaults wholesale, falling back to them only for empty
//           graphroot/runroot.
// STORAGE_DRIVER and STORAGE_OPTS (comma-separated) override the files in both cases.

import * as path from 'node:path';
import { TsmanError } from '../errors.js';
import { checkValue, expandEnvPath, fileExists, isTable, readTomlFile, tomlType, type Paths, type TomlTable } from './paths.js';

export interface StorageConfig {
  /** "" = auto-detect (overlay, then fuse-overlayfs, then vfs) */
  driver: string;
  graphroot: string;
  runroot: string;
  rootlessStoragePath: string;
  /**
   * Driver options as containers/storage passes them: `<driver>.<key>=<value>` (the driver part may
   * be empty, e.g. `.mount_program=...`). Read them with {@link storageOption}.
   */
  options: string[];
}

export const ROOT_GRAPHROOT = '/var/lib/containers/storage';
export const ROOT_RUNROOT = '/run/containers/storage';

interface FileOptions {
  driver: string;
  graphroot: string;
  runroot: string;
  rootlessStoragePath: string;
  options: string[];
}

const DRIVER_KEYS = ['mount_program', 'mountopt', 'ignore_chown_errors', 'size'] as const;

function optString(file: string, where: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  // ignore_chown_errors is a string ("true") in current storage.conf and a boolean in older ones
  if (typeof v === 'boolean') return String(v);
  return checkValue(`${file}: ${where}`, 'string', v) as string;
}

function subTable(file: string, where: string, v: unknown): TomlTable {
  if (v === undefined) return {};
  if (!isTable(v)) throw new TsmanError('ECONFIG', `${file}: ${where}: expected table, got ${tomlType(v)}`);
  return v;
}

export function parseStorageDoc(file: string, doc: TomlTable): FileOptions {
  const st = subTable(file, '[storage]', doc.storage);
  const s = (k: string): string => (st[k] === undefined ? '' : (checkValue(`${file}: [storage] ${k}`, 'string', st[k]) as string));
  let driver = s('driver');
  if (driver === 'overlay2') driver = 'overlay';
  const opts = subTable(file, '[storage.options]', st.options);
  const overlay = subTable(file, '[storage.options.overlay]', opts.overlay);
  const options: string[] = [];
  for (const key of ['additionalimagestores', 'additional_image_stores']) {
    if (opts[key] === undefined) continue;
    const stores = checkValue(`${file}: [storage.options] ${key}`, 'string[]', opts[key]) as string[];
    for (const store of stores) options.push(`${driver}.imagestore=${store}`);
  }
  const overlayish = driver === '' || driver === 'overlay';
  for (const key of DRIVER_KEYS) {
    const fromOverlay = optString(file, `[storage.options.overlay] ${key}`, overlay[key]);
    const fromTop = optString(file, `[storage.options] ${key}`, opts[key]);
    // the overlay table wins for overlay; with an auto-detected driver it is kept for overlay too
    if (fromOverlay !== undefined && overlayish) options.push(`overlay.${key}=${fromOverlay}`);
    else if (fromTop !== undefined) options.push(`${driver}.${key}=${fromTop}`);
  }
  return { driver, graphroot: s('graphroot'), runroot: s('runroot'), rootlessStoragePath: s('rootless_storage_path'), options };
}

/** The last value of `<any driver>.<key>=` in a list of driver options. */
export function storageOption(options: readonly string[], key: string): string | undefined {
  return storageOptions(options, key).at(-1);
}

/** Every value of `<any driver>.<key>=`, e.g. all additional image stores for key `imagestore`. */
export function storageOptions(options: readonly string[], key: string): string[] {
  const out: string[] = [];
  for (const o of options) {
    const eq = o.indexOf('=');
    const name = eq === -1 ? o : o.slice(0, eq);
    const dot = name.indexOf('.');
    if ((dot === -1 ? name : name.slice(dot + 1)).toLowerCase() === key) out.push(eq === -1 ? '' : o.slice(eq + 1));
  }
  return out;
}

const ROOTLESS_DRIVERS = new Set(['btrfs', 'overlay', 'vfs']);

export interface LoadedStorageConf {
  storage: StorageConfig;
  files: string[];
  /** the error for a relative graphroot/runroot taken from a file (see loadStorageConf) */
  relative: { graphroot?: string; runroot?: string };
}

export function loadStorageConf(paths: Paths, env: NodeJS.ProcessEnv): LoadedStorageConf {
  const files: string[] = [];
  const cache = new Map<string, FileOptions | undefined>();
  const read = (file: string): FileOptions | undefined => {
    if (!cache.has(file)) {
      const doc = readTomlFile(file);
      cache.set(file, doc && parseStorageDoc(file, doc));
      if (doc) files.push(file);
    }
    return cache.get(file);
  };
  const expand = (p: string): string => expandEnvPath(p, env, paths.uid);
  // A relative root would follow the caller's working directory (a different store after each
  // `cd`, and conmon's exit command runs elsewhere): recorded here and refused by loadConfigSync
  // unless --root/--runroot replace it, as podman refuses a relative graphroot (its static
  // directory must be absolute). Checked before expandEnvPath, whose realpath would quietly make
  // an existing relative directory absolute.
  const relative: LoadedStorageConf['relative'] = {};
  const root = (file: string, key: string, p: string): string => {
    const substituted = p.replaceAll('$UID', String(paths.uid))
      .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a?: string, b?: string) => env[(a ?? b)!] ?? '');
    if (path.isAbsolute(substituted)) return expand(p);
    relative[key === 'runroot' ? 'runroot' : 'graphroot'] = `${file}: ${key} must be an absolute path - instead got ${JSON.stringify(p)}`;
    return substituted;
  };

  const explicit = env.CONTAINERS_STORAGE_CONF;
  const etc = path.join(paths.systemConfigDir, 'storage.conf');
  // CONTAINERS_STORAGE_CONF takes /etc's place; when neither exists the vendor file is the fallback
  const override = explicit || etc;
  const systemFile = fileExists(override) ? override : path.join(paths.vendorConfigDir, 'storage.conf');
  const sys = read(systemFile);

  let st: StorageConfig;
  if (!paths.rootless) {
    st = {
      driver: sys?.driver ?? '',
      graphroot: sys?.graphroot ? root(systemFile, 'graphroot', sys.graphroot) : expand(ROOT_GRAPHROOT),
      runroot: sys?.runroot ? root(systemFile, 'runroot', sys.runroot) : expand(ROOT_RUNROOT),
      rootlessStoragePath: sys?.rootlessStoragePath ? expand(sys.rootlessStoragePath) : '',
      options: sys?.options ?? [],
    };
  } else {
    const defaultRunroot = path.join(paths.runtimeDir, 'containers');
    const defaultGraphroot = sys?.rootlessStoragePath
      ? root(systemFile, 'rootless_storage_path', sys.rootlessStoragePath)
      : path.join(paths.dataHome, 'containers', 'storage');
    const sysDriver = sys && ROOTLESS_DRIVERS.has(sys.driver) ? sys.driver : '';
    st = {
      driver: sysDriver,
      graphroot: defaultGraphroot,
      runroot: defaultRunroot,
      rootlessStoragePath: sys?.rootlessStoragePath ? expand(sys.rootlessStoragePath) : '',
      options: sysDriver === 'overlay' ? (sys?.options ?? []).filter((o) => o.includes('ignore_chown_errors')).slice(0, 1) : [],
    };
    const userFile = explicit || path.join(paths.userConfigDir, 'storage.conf');
    const user = read(userFile);
    if (user) {
      st = {
        driver: user.driver,
        runroot: user.runroot ? root(userFile, 'runroot', user.runroot) : defaultRunroot,
        graphroot: user.graphroot ? root(userFile, 'graphroot', user.graphroot)
          : user.rootlessStoragePath ? root(userFile, 'rootless_storage_path', user.rootlessStoragePath) : defaultGraphroot,
        rootlessStoragePath: user.rootlessStoragePath ? expand(user.rootlessStoragePath) : st.rootlessStoragePath,
        options: user.options,
      };
    }
  }
  if (env.STORAGE_DRIVER) st.driver = env.STORAGE_DRIVER === 'overlay2' ? 'overlay' : env.STORAGE_DRIVER;
  if (env.STORAGE_OPTS !== undefined) st.options = env.STORAGE_OPTS.split(',').filter(Boolean);
  // a value a later file replaced is no longer the store's
  if (relative.graphroot && path.isAbsolute(st.graphroot)) delete relative.graphroot;
  if (relative.runroot && path.isAbsolute(st.runroot)) delete relative.runroot;
  return { storage: st, files, relative };
}
