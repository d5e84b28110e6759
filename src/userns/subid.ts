// Subordinate id ranges (/etc/subuid, /etc/subgid; subuid(5)) and the id maps built from them.
// Parsing follows shadow's own reader, which newuidmap uses to check what we ask for: a line is
// `owner:start:count`, the owner is a user name or a numeric uid, a user may have several lines
// (kept in file order), and a line that does not parse is skipped rather than failing the file.
import { readFileSync } from 'node:fs';
import { errnoCode } from '../errors.js';

export interface SubIdRange {
  start: number;
  count: number;
}

/** One line of an id map: `size` ids from `containerId` inside are `hostId`.. outside. */
export interface IdMap {
  containerId: number;
  hostId: number;
  size: number;
}

export interface UserRef {
  uid: number;
  /** absent when the uid has no /etc/passwd entry; then only numeric owners match */
  name?: string;
}

export const SUBUID_FILE = '/etc/subuid';
export const SUBGID_FILE = '/etc/subgid';
export const PASSWD_FILE = '/etc/passwd';

const MAX_ID = 0xffffffff; // ids are u32; 4294967295 itself is the kernel's "invalid id"

function parseId(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) && n < MAX_ID ? n : undefined;
}

/** The ranges of one user in the text of a subuid/subgid file, in file order. */
export function parseSubIdFile(text: string, user: UserRef): SubIdRange[] {
  const uidStr = String(user.uid);
  const out: SubIdRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    if (fields.length !== 3) continue;
    const [owner, startStr, countStr] = fields as [string, string, string];
    if (owner !== uidStr && (user.name === undefined || owner !== user.name)) continue;
    const start = parseId(startStr);
    const count = parseId(countStr);
    // newuidmap rejects an empty range, and one running past the u32 space cannot be mapped.
    if (start === undefined || count === undefined || count === 0 || start + count > MAX_ID) continue;
    out.push({ start, count });
  }
  return out;
}

/** Like parseSubIdFile on the file's contents; a missing file has no ranges. */
export function readSubIds(file: string, user: UserRef): SubIdRange[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
  return parseSubIdFile(text, user);
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The /etc/passwd entry matching a name or a uid (the first one, as getpwnam/getpwuid do). */
export function parsePasswd(text: string, who: string | number): PasswdEntry | undefined {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 7) continue;
    const uid = parseId(f[2]!);
    const gid = parseId(f[3]!);
    if (uid === undefined || gid === undefined) continue;
    if (typeof who === 'number' ? uid === who : f[0] === who) {
      return { name: f[0]!, uid, gid, home: f[5]! };
    }
  }
  return undefined;
}

export function lookupUser(who: string | number, passwdFile = PASSWD_FILE): PasswdEntry | undefined {
  let text: string;
  try {
    text = readFileSync(passwdFile, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  return parsePasswd(text, who);
}

/**
 * The map podman builds: container id 0 is the user, then every subordinate range in file order,
 * each starting where the previous one ended.
 */
export function buildIdMap(hostId: number, ranges: SubIdRange[]): IdMap[] {
  const out: IdMap[] = [{ containerId: 0, hostId, size: 1 }];
  let next = 1;
  for (const r of ranges) {
    const size = Math.min(r.count, MAX_ID - next);
    if (size <= 0) break;
    out.push({ containerId: next, hostId: r.start, size });
    next += size;
  }
  return out;
}

/** newuidmap/newgidmap arguments after the pid: `inside outside count` triples. */
export function idMapArgs(map: IdMap[]): string[] {
  return map.flatMap((m) => [String(m.containerId), String(m.hostId), String(m.size)]);
}

/** How many ids a map covers (the user's own id included). */
export function idMapSize(map: IdMap[]): number {
  return map.reduce((n, m) => n + m.size, 0);
}
