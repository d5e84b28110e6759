// Where a container's network things live, and its network state file.
import { promises as fsp, readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { atomicWriteJson, readJsonIfExists } from '../util/fsutil.js';
import type { NetHost, NetState } from './backend.js';

/** slirp4netns: containers.conf network_cmd_path, else helper_binaries_dir, else $PATH (podman's order). */
export function slirpBinary(host: NetHost): string | undefined {
  const e = host.config.engine;
  return e.network_cmd_path || e.helper_binaries_dir.map((d) => path.join(d, 'slirp4netns')).find((p) => existsSync(p)) || undefined;
}

/** unix socket paths must stay under 108 bytes: the run dir may be deep (tests), so they go here */
export function shortSocketPath(host: NetHost, name: string): string {
  const natural = path.join(host.store.runDir, 'networks', name);
  if (natural.length < 100) return natural;
  const base = host.rootless ? (process.env['XDG_RUNTIME_DIR'] || `/tmp/tsman-${process.env['_TSMAN_ROOTLESS_UID'] ?? 'user'}`) : '/run';
  return path.join(base, 'tsman-net', name);
}

export function netnsPath(host: NetHost, id: string): string { return path.join(host.store.runDir, 'netns', id); }
/** <rundir>/containers/<id>: the state file and the helpers' logs */
export function containerNetDir(host: NetHost, id: string): string { return path.join(host.store.runDir, 'containers', id); }
function stateFile(host: NetHost, id: string): string { return path.join(containerNetDir(host, id), 'network.json'); }

export async function readNetState(host: NetHost, id: string): Promise<NetState | undefined> {
  return readJsonIfExists<NetState>(stateFile(host, id));
}

export function readNetStateSync(host: NetHost, id: string): NetState | undefined {
  try { return JSON.parse(readFileSync(stateFile(host, id), 'utf8')) as NetState; } catch { return undefined; }
}

export async function writeState(host: NetHost, id: string, s: NetState): Promise<void> {
  await fsp.mkdir(path.dirname(stateFile(host, id)), { recursive: true, mode: 0o700 });
  await atomicWriteJson(stateFile(host, id), s, 0o600, { durable: false });
}

export async function removeState(host: NetHost, id: string): Promise<void> {
  await fsp.rm(stateFile(host, id), { force: true });
}
