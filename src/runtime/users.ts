// --user / --group-add resolution against the container's own /etc/passwd and /etc/group, with
// podman 4.3's results (libpod generateSpec over runc's libcontainer/user GetExecUser):
//   no --user     -> uid 0; additionalGids = --group-add + groups listing root as a member
//   --user U      -> U by name or uid; additionalGids = [primary gid, --group-add..., groups listing U]
//   --user U:G    -> G by name or gid; additionalGids = [G, --group-add...] (no membership lookup)
// A numeric uid missing from passwd is allowed (gid 0, no home); a name is not.
// The files are read through secureJoin: a symlinked /etc/passwd in a hostile image resolves inside
// the rootfs, never to the host's.

import { constants as C, lstatSync, readlinkSync, openSync, fstatSync, readFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { TsmanError, errnoCode } from '../errors.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** passwd home directory; undefined when the user has no passwd entry (the runtime then uses "/") */
  home?: string;
  /** the passwd name, when there is an entry */
  name?: string;
}

export interface PasswdEntry { name: string; uid: number; gid: number; home: string; shell: string }
export interface GroupEntry { name: string; gid: number; members: string[] }

const MAX_ID = 2147483647;
const MAX_SYMLINKS = 255;

/**
 * `unsafe` resolved inside `root` the way filepath-securejoin does: symlinks are followed with
 * `root` as "/", ".." stops at `root`. Components that do not exist are joined lexically.
 */
export async function secureJoin(root: string, unsafe: string): Promise<string> {
  return secureJoinSync(root, unsafe);
}

/** secureJoin without the promise (a few lstats: nothing worth a thread-pool round trip). */
export function secureJoinSync(root: string, unsafe: string): string {
  const queue = unsafe.split('/');
  let current = '';
  let links = 0;
  while (queue.length > 0) {
    const comp = queue.shift()!;
    if (comp === '' || comp === '.') continue;
    if (comp === '..') {
      current = current.includes('/') ? current.slice(0, current.lastIndexOf('/')) : '';
      continue;
    }
    const candidate = current === '' ? comp : `${current}/${comp}`;
    let target: string | undefined;
    try {
      // synchronous: a few stats on every `run` (no thread-pool round trips)
      const st = lstatSync(path.join(root, candidate));
      if (st.isSymbolicLink()) target = readlinkSync(path.join(root, candidate));
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
    }
    if (target === undefined) {
      current = candidate;
      continue;
    }
    if (++links > MAX_SYMLINKS) {
      throw new TsmanError('EUNSAFE', `resolve \`${unsafe}\` in \`${root}\`: too many levels of symbolic links`);
    }
    if (target.startsWith('/')) current = '';
    queue.unshift(...target.split('/'));
  }
  return path.join(root, current);
}

/**
 * A small database file of the rootfs (`/etc/passwd`), resolved inside it, or undefined when it
 * does not exist (or is no regular file). The only way tsman reads a file of an image's root.
 */
export function readRootfsFile(rootfs: string, file: string): string | undefined {
  const p = secureJoinSync(rootfs, file);
  let fd: number;
  try {
    // O_NOFOLLOW: the last component was resolved above; a symlink swapped in since is refused.
    // O_NONBLOCK: a FIFO planted as /etc/passwd must not hang us.
    fd = openSync(p, C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw new TsmanError('EGENERIC', `open \`${p}\`: ${code ?? String(err)}`, { cause: err });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    if (st.size > 64 * 1024 * 1024) {
      throw new TsmanError('EUNSAFE', `read \`${p}\`: file too large (${st.size} bytes)`);
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function parseId(s: string | undefined): number {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    out.push({ name: f[0] ?? '', uid: parseId(f[2]), gid: parseId(f[3]), home: f[5] ?? '', shell: f[6] ?? '' });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const members = (f[3] ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
    out.push({ name: f[0] ?? '', gid: parseId(f[2]), members });
  }
  return out;
}

function numeric(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  if (n > MAX_ID) throw new TsmanError('EUSAGE', 'uids and gids must be in range 0-2147483647');
  return n;
}

function lookupGroup(groups: GroupEntry[], spec: string): number {
  const n = numeric(spec);
  const g = groups.find((e) => e.name === spec || (n !== undefined && e.gid === n));
  if (g) return g.gid;
  if (n !== undefined) return n;
  throw new TsmanError('EUSAGE', `unable to find group ${spec}: no matching entries in group file`);
}

/**
 * Resolve --user (`name`, `uid`, `name:group`, `uid:gid`, ...) and --group-add against the passwd
 * and group files of `rootfs` (an absolute path of the mounted root filesystem).
 */
export async function resolveUser(rootfs: string, spec: string | undefined, groupAdd: readonly string[] = []): Promise<ResolvedUser> {
  const userSpec = spec ?? '';
  const colon = userSpec.indexOf(':');
  const userArg = colon < 0 ? userSpec : userSpec.slice(0, colon);
  const groupArg = colon < 0 ? '' : userSpec.slice(colon + 1);

  const passwd = parsePasswd((readRootfsFile(rootfs, '/etc/passwd')) ?? '');
  let groupCache: GroupEntry[] | undefined;
  const groups = async (): Promise<GroupEntry[]> => {
    groupCache ??= parseGroup((readRootfsFile(rootfs, '/etc/group')) ?? '');
    return groupCache;
  };

  const res: ResolvedUser = { uid: 0, gid: 0, additionalGids: [] };
  const uidNum = userArg === '' ? 0 : numeric(userArg);
  const entry = passwd.find((u) => (userArg !== '' && u.name === userArg) || (uidNum !== undefined && u.uid === uidNum));
  if (entry) {
    res.uid = entry.uid;
    res.gid = entry.gid;
    res.home = entry.home;
    res.name = entry.name;
  } else if (uidNum !== undefined) {
    res.uid = uidNum;
  } else {
    throw new TsmanError('EUSAGE', `unable to find user ${userArg}: no matching entries in passwd file`);
  }

  if (groupArg !== '') res.gid = lookupGroup(await groups(), groupArg);

  const gids: number[] = [];
  if (userSpec !== '') gids.push(res.gid);
  for (const g of groupAdd) {
    if (g === 'keep-groups') {
      throw new TsmanError('EUNSUPPORTED', 'the keep-groups option of --group-add is not supported by tsman');
    }
    gids.push(lookupGroup(await groups(), g));
  }
  // Supplementary groups from membership only in the implicit form (no ":group"), as runc and podman.
  if (colon < 0 && res.name !== undefined) {
    for (const g of await groups()) if (g.members.includes(res.name)) gids.push(g.gid);
  }
  res.additionalGids = [...new Set(gids)];
  return res;
}
