// Where configuration and per-user state live, and the one place config files are read and parsed.
// Everything here takes the environment and uid as parameters so tests can simulate a rootless
// user (or root) without changing the process.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { TsmanError, errnoCode } from '../errors.js';

/** How the host is seen; every field defaults to the real process. */
export interface HostOptions {
  env?: NodeJS.ProcessEnv;
  /** effective uid; rootless iff not 0 */
  uid?: number;
  /** prefix for the system paths (/etc, /usr/share, /var/cache), for tests; default '' */
  sysRoot?: string;
  /** where the fallback runtime dir is created; default /tmp */
  tmpDir?: string;
  /** the shipped defaults file; null skips it */
  shippedConf?: string | null;
  /** whether the host runs the unified cgroup v2 hierarchy; detected when unset */
  cgroup2?: boolean;
}

export interface Paths {
  rootless: boolean;
  uid: number;
  home: string;
  /** $XDG_CONFIG_HOME or ~/.config */
  configHome: string;
  /** $XDG_DATA_HOME or ~/.local/share */
  dataHome: string;
  /** $XDG_CACHE_HOME or ~/.cache */
  cacheHome: string;
  /** root: /run; rootless: $XDG_RUNTIME_DIR, /run/user/<uid> or /tmp/tsman-run-<uid> */
  runtimeDir: string;
  /** /etc/containers */
  systemConfigDir: string;
  /** /usr/share/containers (distribution defaults) */
  vendorConfigDir: string;
  /** <configHome>/containers */
  userConfigDir: string;
  /** where podman records short-name aliases picked at a prompt */
  shortNameAliasesFile: string;
}

export function hostEnv(host: HostOptions): NodeJS.ProcessEnv {
  return host.env ?? process.env;
}

export function hostUid(host: HostOptions): number {
  if (host.uid !== undefined) return host.uid;
  // Inside tsman's rootless user namespace euid is 0, but the paths are still the user's.
  const env = hostEnv(host);
  if (env._TSMAN_USERNS && env._TSMAN_ROOTLESS_UID) return Number(env._TSMAN_ROOTLESS_UID);
  return process.geteuid?.() ?? 0;
}

export function resolvePaths(host: HostOptions = {}): Paths {
  const env = hostEnv(host);
  const uid = hostUid(host);
  const rootless = uid !== 0;
  const sysRoot = host.sysRoot ?? '';
  const home = env.HOME || homeFromPasswd();
  const configHome = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const dataHome = env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  const cacheHome = env.XDG_CACHE_HOME || path.join(home, '.cache');
  const runtimeDir = rootless ? rootlessRuntimeDir(env, uid, host.tmpDir ?? '/tmp') : '/run';
  return {
    rootless,
    uid,
    home,
    configHome,
    dataHome,
    cacheHome,
    runtimeDir,
    systemConfigDir: path.join(sysRoot || '/', 'etc/containers'),
    vendorConfigDir: path.join(sysRoot || '/', 'usr/share/containers'),
    userConfigDir: path.join(configHome, 'containers'),
    shortNameAliasesFile: rootless
      ? path.join(cacheHome, 'containers/short-name-aliases.conf')
      : path.join(sysRoot || '/', 'var/cache/containers/short-name-aliases.conf'),
  };
}

function homeFromPasswd(): string {
  try {
    return os.userInfo().homedir;
  } catch {
    return '/';
  }
}

/** A directory only we can write to: podman refuses runtime dirs that others could tamper with. */
function ownedPrivateDir(dir: string, uid: number, requirePrivate: boolean): boolean {
  let st: fs.Stats | undefined;
  try {
    // no exception for a missing file (each costs a stack trace: the config paths probe several)
    st = fs.lstatSync(dir, { throwIfNoEntry: false });
  } catch {
    return false;
  }
  if (!st || !st.isDirectory() || st.uid !== uid) return false;
  return !requirePrivate || (st.mode & 0o722) === 0o700;
}

/**
 * podman's GetRuntimeDir, with tsman's own name for the last resort: a usable $XDG_RUNTIME_DIR, else
 * a logind /run/user/<uid> that already exists, else /tmp/tsman-run-<uid> created 0700.
 */
function rootlessRuntimeDir(env: NodeJS.ProcessEnv, hostUid: number, tmpDir: string): string {
  // Inside tsman's user namespace the user's own files show as owned by uid 0.
  const uid = env._TSMAN_USERNS ? 0 : hostUid;
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg) {
    try {
      const real = fs.realpathSync(xdg);
      if (ownedPrivateDir(real, uid, false)) {
        fs.accessSync(real, fs.constants.W_OK);
        return real;
      }
    } catch {
      // unusable: fall through, as podman does for a missing or foreign directory
    }
  }
  const logind = `/run/user/${hostUid}`;
  if (ownedPrivateDir(logind, uid, true)) return logind;
  const fallback = path.join(tmpDir, `tsman-run-${hostUid}`);
  try {
    fs.mkdirSync(fallback, { mode: 0o700 });
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') {
      throw new TsmanError('ECONFIG', `create runtime dir \`${fallback}\`: ${errnoCode(err) ?? String(err)}`, { cause: err });
    }
  }
  if (!ownedPrivateDir(fallback, uid, true)) {
    throw new TsmanError('ECONFIG', `runtime dir \`${fallback}\` is not a directory owned by uid ${uid} with mode 0700`, {
      hint: 'set XDG_RUNTIME_DIR to a directory you own, or remove the stale one',
    });
  }
  return fallback;
}

// ---- reading config files -------------------------------------------------------------------

export type TomlTable = Record<string, unknown>;

/** The file's text, or undefined when it does not exist; any other failure is a config error. */
export function readOptionalFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new TsmanError('ECONFIG', `read \`${file}\`: ${code ?? String(err)}`, { cause: err });
  }
}

export function fileExists(file: string): boolean {
  try {
    return fs.statSync(file, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

/** The *.conf files of a drop-in directory, sorted by name; none when it does not exist. */
export function dropInFiles(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    if (!fs.statSync(dir, { throwIfNoEntry: false })) return [];
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new TsmanError('ECONFIG', `read directory \`${dir}\`: ${code ?? String(err)}`, { cause: err });
  }
  return entries
    .filter((e) => !e.isDirectory() && e.name.endsWith('.conf'))
    .map((e) => e.name)
    .sort()
    .map((n) => path.join(dir, n));
}

/** Parse TOML, reporting syntax errors as ``<file>:<line>:<col>: <what>``. Integers come back as bigint. */
export function parseTomlFile(file: string, text: string): TomlTable {
  try {
    // Whole-line comments are most of the shipped and distribution files (containers.conf is ~90%
    // comments): blanked before parsing, lines kept, so error positions do not move. A line that
    // starts with # inside a multi-line string is left alone (the parser needs it).
    return parseToml(text.includes('\'\'\'') || text.includes('\"\"\"') ? text : text.replace(/^[ \t]*#.*$/gm, ''), { integersAsBigInt: true }) as TomlTable;
  } catch (err) {
    if (err instanceof TomlError) {
      const what = err.message.replace(/^Invalid TOML document: /, '').split('\n')[0];
      throw new TsmanError('ECONFIG', `${file}:${err.line}:${err.column}: invalid toml: ${what}`, { cause: err });
    }
    throw new TsmanError('ECONFIG', `${file}: invalid toml: ${String(err)}`, { cause: err });
  }
}

/** Read and parse; undefined when the file does not exist. */
export function readTomlFile(file: string): TomlTable | undefined {
  const text = readOptionalFile(file);
  return text === undefined ? undefined : parseTomlFile(file, text);
}

/** The TOML type of a parsed value, in the words podman's decoder would use. */
export function tomlType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'bigint') return 'integer';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'datetime';
  if (typeof v === 'object' && v !== null) return 'table';
  return typeof v;
}

export function isTable(v: unknown): v is TomlTable {
  return tomlType(v) === 'table';
}

/** Field types understood by {@link checkValue}. */
export type FieldType = 'string' | 'integer' | 'uint' | 'boolean' | 'string[]' | 'map<string[]>' | 'map<string>';

const TYPE_WORDS: Record<FieldType, string> = {
  string: 'string',
  integer: 'integer',
  uint: 'non-negative integer',
  boolean: 'boolean',
  'string[]': 'array of strings',
  'map<string[]>': 'table of string arrays',
  'map<string>': 'table of strings',
};

function describe(v: unknown): string {
  if (Array.isArray(v)) {
    const bad = v.find((x) => typeof x !== 'string');
    return bad === undefined ? 'array' : `array containing ${tomlType(bad)}`;
  }
  if (typeof v === 'bigint' && v < 0n) return 'negative integer';
  return tomlType(v);
}

/**
 * Check one value against its declared type and convert it (bigint to number). `where` names the
 * file and key for the message: ``<file>: [containers] pids_limit: expected integer, got string``.
 */
export function checkValue(where: string, type: FieldType, v: unknown): unknown {
  const fail = (): never => {
    throw new TsmanError('ECONFIG', `${where}: expected ${TYPE_WORDS[type]}, got ${describe(v)}`);
  };
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : fail();
    case 'boolean':
      return typeof v === 'boolean' ? v : fail();
    case 'integer':
    case 'uint':
      if (typeof v !== 'bigint' || (type === 'uint' && v < 0n)) return fail();
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new TsmanError('ECONFIG', `${where}: integer ${v} out of range`);
      }
      return Number(v);
    case 'string[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...v] : fail();
    case 'map<string[]>':
    case 'map<string>': {
      if (!isTable(v)) return fail();
      const inner = type === 'map<string>' ? 'string' : 'string[]';
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = checkValue(`${where}.${k}`, inner, x);
      return out;
    }
  }
}

/** Expand $UID, $VAR and ${VAR} the way containers/storage expands paths in storage.conf. */
export function expandEnvPath(p: string, env: NodeJS.ProcessEnv, uid: number): string {
  const expanded = p
    .replaceAll('$UID', String(uid))
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a?: string, b?: string) => env[(a ?? b)!] ?? '');
  try {
    return fs.realpathSync(expanded);
  } catch {
    return path.normalize(expanded);
  }
}
