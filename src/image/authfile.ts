// podman's auth.json (containers/image pkg/docker/config): where it lives, how entries are keyed
// and looked up, and the docker config files read as fallbacks. Credential helpers are not run.

import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TsmanError, errnoCode } from '../errors.js';
import { atomicWriteFile, mkdirp } from '../util/fsutil.js';
import { resolvePaths } from '../config/paths.js';
import { ShapeError, expectObject, field, isObject, optString } from './validate.js';

export type Credentials = { username: string; password: string } | { identityToken: string; username?: string };

export interface AuthFileOptions {
  /** --authfile */
  authfile?: string;
  /** defaults to process.env; for tests */
  env?: NodeJS.ProcessEnv;
  /** defaults to os.homedir(); for tests */
  home?: string;
  /** defaults to process.getuid(); for tests */
  uid?: number;
  /** where a rootless runtime dir falls back to (config/paths.ts); default /tmp, for tests */
  tmpDir?: string;
}

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
  [k: string]: unknown;
}

interface AuthFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  [k: string]: unknown;
}

interface AuthPath {
  path: string;
  /** ~/.dockercfg: the auths map at top level */
  legacy: boolean;
}

/** The user whose logins these are: inside tsman's user namespace getuid() is 0, the user's own uid counts. */
function authUid(opts: AuthFileOptions, env: NodeJS.ProcessEnv): number {
  return opts.uid ?? (env._TSMAN_ROOTLESS_UID ? Number(env._TSMAN_ROOTLESS_UID) : process.getuid?.() ?? 0);
}

/**
 * The file logins are written to and read from first: --authfile, else $REGISTRY_AUTH_FILE,
 * else $XDG_RUNTIME_DIR/containers/auth.json; root: /run/containers/0/auth.json. A rootless user
 * without XDG_RUNTIME_DIR (`su -`, `sudo -iu`, cron) gets `containers/auth.json` in the runtime
 * dir tsman uses for everything else (config/paths.ts: /run/user/<uid> when it is theirs, else
 * /tmp/tsman-run-<uid>), as podman puts it in its own runtime dir (it sets XDG_RUNTIME_DIR to that
 * before containers/image looks): /run/containers/<uid> is root's, where a user cannot write.
 */
export function authFilePath(opts: AuthFileOptions = {}): string {
  const env = opts.env ?? process.env;
  if (opts.authfile) return opts.authfile;
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json');
  const uid = authUid(opts, env);
  if (uid === 0) return '/run/containers/0/auth.json';
  return path.join(resolvePaths({ env, uid, tmpDir: opts.tmpDir }).runtimeDir, 'containers', 'auth.json');
}

/**
 * Where podman 4 keeps a rootless user's logins when it has no XDG_RUNTIME_DIR and no usable
 * /run/user/<uid> (pkg/util GetRuntimeDir: os.TempDir()/podman-run-<uid>): read after tsman's own,
 * so that a `podman login` made in such a session serves tsman too.
 */
function podmanFallbackAuthFile(opts: AuthFileOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (opts.authfile || env.REGISTRY_AUTH_FILE || env.XDG_RUNTIME_DIR) return undefined;
  const uid = authUid(opts, env);
  if (uid === 0) return undefined;
  return path.join(env.TMPDIR || '/tmp', `podman-run-${uid}`, 'containers', 'auth.json');
}

/** Every file searched for credentials, in order. */
export function authFilePaths(opts: AuthFileOptions = {}): AuthPath[] {
  const env = opts.env ?? process.env;
  const home = opts.home ?? env.HOME ?? os.homedir();
  const xdgConfig = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const paths: AuthPath[] = [];
  try {
    paths.push({ path: authFilePath(opts), legacy: false });
  } catch {
    // no usable runtime dir (config/paths.ts says why when something is written): nothing to read there
  }
  const podman = podmanFallbackAuthFile(opts, env);
  if (podman) paths.push({ path: podman, legacy: false });
  paths.push(
    { path: path.join(xdgConfig, 'containers', 'auth.json'), legacy: false },
    { path: env.DOCKER_CONFIG ? path.join(env.DOCKER_CONFIG, 'config.json') : path.join(home, '.docker', 'config.json'), legacy: false },
    { path: path.join(home, '.dockercfg'), legacy: true },
  );
  const seen = new Set<string>();
  return paths.filter((p) => (seen.has(p.path) ? false : (seen.add(p.path), true)));
}

async function readAuthFile(file: string, legacy: boolean): Promise<AuthFile> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { auths: {} };
    throw new TsmanError('ECONFIG', `reading JSON file ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TsmanError('ECONFIG', `reading JSON file ${JSON.stringify(file)}: unmarshaling JSON at ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new TsmanError('ECONFIG', `reading JSON file ${JSON.stringify(file)}: unmarshaling JSON at ${JSON.stringify(file)}: not an object`);
  }
  // entries of the wrong type are refused as Go's json.Unmarshal refuses them (an `auth` that is
  // a number was a TypeError inside Buffer.from)
  const auths = legacy ? doc : (doc as AuthFile).auths;
  if (isObject(auths)) {
    for (const [k, e] of Object.entries(auths)) {
      if (e === null) continue;
      const at = legacy ? field('', k) : field('auths', k);
      try {
        const o = expectObject(e, at);
        optString(o, 'auth', at);
        optString(o, 'identitytoken', at);
      } catch (err) {
        if (!(err instanceof ShapeError)) throw err;
        throw new TsmanError('ECONFIG', `reading JSON file ${JSON.stringify(file)}: unmarshaling JSON at ${JSON.stringify(file)}: ${err.message}`);
      }
    }
  }
  if (legacy) return { auths: doc as Record<string, AuthEntry> };
  const f = doc as AuthFile;
  if (typeof f.auths !== 'object' || f.auths === null) f.auths = {};
  return f;
}

/**
 * A key as a registry host for the fallback match (c/image's normalizeAuthFileKey): URL keys
 * (`https://index.docker.io/v1/`) lose scheme and path, repository keys keep their path so
 * that they only ever match exactly, and docker.io's names all become one.
 */
function normalizeKey(key: string, legacy = false): string {
  let k = key.replace(/^https?:\/\//, '');
  if (legacy || k !== key) k = k.split('/')[0];
  return k === 'registry-1.docker.io' || k === 'docker.io' ? 'index.docker.io' : k;
}

/** `quay.io/a/b/c` -> [`quay.io/a/b/c`, `quay.io/a/b`, `quay.io/a`, `quay.io`] */
function keysFor(key: string): string[] {
  const out: string[] = [];
  let k = key;
  for (;;) {
    out.push(k);
    const i = k.lastIndexOf('/');
    if (i === -1) return out;
    k = k.slice(0, i);
  }
}

function decodeEntry(e: AuthEntry | null): Credentials | undefined {
  if (e === null) return undefined;
  let username = '';
  let password = '';
  if (e.auth) {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i === -1) {
      if (!e.identitytoken) return undefined; // docker skips an invalid entry too
    } else {
      username = decoded.slice(0, i);
      password = decoded.slice(i + 1).replace(/^\0+|\0+$/g, '');
    }
  } else if (!e.identitytoken) {
    return undefined;
  }
  if (e.identitytoken) return username ? { identityToken: e.identitytoken, username } : { identityToken: e.identitytoken };
  if (username === '' || password === '') return undefined;
  return { username, password };
}

/**
 * Credentials for `key` (`host[:port]` or `host[:port]/repo/path`, e.g. the name of the image being
 * pulled): in each file in turn, the most specific `auths` key that is a prefix of it by path
 * components, then the host alone with legacy URL keys (`https://host/v1/`) normalized.
 */
export async function getCredentials(key: string, opts: AuthFileOptions = {}): Promise<Credentials | undefined> {
  const host = key.split('/')[0];
  for (const p of authFilePaths(opts)) {
    const f = await readAuthFile(p.path, p.legacy);
    const auths = f.auths ?? {};
    const keys = p.legacy ? [host] : keysFor(key);
    for (const k of keys) {
      if (Object.prototype.hasOwnProperty.call(auths, k)) {
        const c = decodeEntry(auths[k]);
        if (c) return c;
      }
    }
    const want = normalizeKey(host);
    for (const [k, e] of Object.entries(auths)) {
      if (normalizeKey(k, p.legacy) === want) {
        const c = decodeEntry(e);
        if (c) return c;
      }
    }
  }
  return undefined;
}

async function modify(opts: AuthFileOptions, edit: (f: AuthFile) => boolean): Promise<string> {
  const file = authFilePath(opts);
  await mkdirp(path.dirname(file), 0o700);
  const f = await readAuthFile(file, false);
  if (edit(f)) {
    try {
      // podman writes tab-indented JSON, mode 0600
      await atomicWriteFile(file, JSON.stringify(f, null, '\t'), 0o600);
    } catch (err) {
      throw new TsmanError('ECONFIG', `writing to file ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err });
    }
  }
  return file;
}

/** Store `username:password` under `key` (`host[:port]` or `host[:port]/repo`); returns the file. */
export async function setCredentials(key: string, username: string, password: string, opts: AuthFileOptions = {}): Promise<string> {
  return modify(opts, (f) => {
    f.auths = f.auths ?? {};
    f.auths[key] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
    return true;
  });
}

/** Remove the entry for `key`; ENOTFOUND `not logged into <key>` when there is none. */
export async function removeCredentials(key: string, opts: AuthFileOptions = {}): Promise<void> {
  let removed = false;
  await modify(opts, (f) => {
    const auths = f.auths ?? {};
    if (Object.prototype.hasOwnProperty.call(auths, key)) {
      delete auths[key];
      removed = true;
    } else if (!key.includes('/')) {
      const want = normalizeKey(key);
      const k = Object.keys(auths).find((k) => normalizeKey(k) === want);
      if (k !== undefined) {
        delete auths[k];
        removed = true;
      }
    }
    return removed;
  });
  if (!removed) throw new TsmanError('ENOTFOUND', `not logged into ${key}`);
}

/** Remove every entry from the auth file (podman logout --all). */
export async function removeAll(opts: AuthFileOptions = {}): Promise<void> {
  await modify(opts, (f) => {
    f.auths = {};
    if (f.credHelpers) f.credHelpers = {};
    return true;
  });
}

/** Every key in the auth file (for `podman login --get-login` and listings). */
export async function listAuthKeys(opts: AuthFileOptions = {}): Promise<string[]> {
  const f = await readAuthFile(authFilePath(opts), false);
  return Object.keys(f.auths ?? {});
}
