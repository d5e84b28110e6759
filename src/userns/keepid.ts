// --userns=keep-id (rootless): the container gets a user namespace of its own, nested in tsman's,
// where the user's real uid/gid map to themselves. tsman's namespace maps 0 → the user and
// 1..N → the subordinate ids; the container's maps
//     container 0..U-1 → 1..U,   container U → 0 (the user),   container U+1..N → U+1..N
// so image files owned by root stay root's. The layers are shown id-shifted the same way by
// fuse-overlayfs (uidmapping=, the same triples), since on disk they hold tsman-namespace ids.
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { TsmanError } from '../errors.js';

export interface IdMap { containerID: number; hostID: number; size: number }

/** Lines of /proc/self/[ug]id_map: [inside, outside, count] */
function readMap(kind: 'uid' | 'gid'): number[][] {
  return readFileSync(`/proc/self/${kind}_map`, 'utf8').trim().split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
}

/** The real user behind tsman's namespace (it is 0 inside) and its passwd fields. */
export function keepIdUser(): { uid: number; gid: number; name: string; home: string } {
  const u = readMap('uid').find((l) => l[0] === 0);
  const g = readMap('gid').find((l) => l[0] === 0);
  if (!u || !g || (u[1] === 0 && g[1] === 0)) throw new TsmanError('EUSAGE', 'keep-id is only supported in rootless mode');
  let name = process.env['USER'] || `user${u[1]}`;
  let home = process.env['HOME'] || '/';
  try { const i = os.userInfo(); if (i.username && i.username !== 'root') { name = i.username; home = i.homedir; } } catch { /* env then */ }
  return { uid: u[1]!, gid: g[1]!, name, home };
}

/** The container's mappings for one kind of id, relative to tsman's namespace. */
export function keepIdMappings(kind: 'uid' | 'gid', id: number): IdMap[] {
  const total = readMap(kind).reduce((n, l) => n + (l[2] ?? 0), 0);
  if (id >= total) throw new TsmanError('EGENERIC', `keep-id: ${kind} ${id} is beyond the ${total} ids of the user namespace (add subordinate ids in /etc/sub${kind})`);
  const out: IdMap[] = [];
  if (id > 0) out.push({ containerID: 0, hostID: 1, size: id });
  out.push({ containerID: id, hostID: 0, size: 1 });
  if (total - id - 1 > 0) out.push({ containerID: id + 1, hostID: id + 1, size: total - id - 1 });
  return out;
}

/**
 * --userns=nomap (rootless): the user's own id is not in the container at all; container 0..N-2
 * → tsman's namespace 1..N-1 (the subordinate ids). Image files (on disk: tsman-namespace ids,
 * root's being 0) are shown shifted by one the same way through fuse-overlayfs.
 */
export function nomapMappings(kind: 'uid' | 'gid'): IdMap[] {
  const total = readMap(kind).reduce((n, l) => n + (l[2] ?? 0), 0);
  if (total < 2) throw new TsmanError('EUSERNS', `nomap: the user namespace has no subordinate ${kind}s (add a range in /etc/sub${kind})`);
  return [{ containerID: 0, hostID: 1, size: total - 1 }];
}

/** The user namespace of a keep-id or nomap container (undefined: it shares tsman's). */
export function containerIdMappings(cfg: { keepId?: { uid: number; gid: number }; nomap?: boolean }): { uid: IdMap[]; gid: IdMap[] } | undefined {
  if (cfg.keepId) return { uid: keepIdMappings('uid', cfg.keepId.uid), gid: keepIdMappings('gid', cfg.keepId.gid) };
  if (cfg.nomap) return { uid: nomapMappings('uid'), gid: nomapMappings('gid') };
  return undefined;
}

/** fuse-overlayfs's uidmapping=/gidmapping= value for the same mapping. */
export function fuseMapping(maps: IdMap[]): string {
  return maps.map((m) => `${m.containerID}:${m.hostID}:${m.size}`).join(':');
}
