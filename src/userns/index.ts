// Rootless mode: which side of the user namespace we are on, the id maps, and the ways in
// (re-exec of the whole CLI, or one program). The namespace itself and its pause process: pause.ts.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { childProcess } from '../util/builtin.js';
import { readFileSync } from 'node:fs';
import { constants as osc } from 'node:os';
import { TsmanError } from '../errors.js';
import {
  SUBUID_FILE, SUBGID_FILE, PASSWD_FILE, readSubIds, lookupUser, buildIdMap, type IdMap,
} from './subid.js';
import { JOINED_ENV } from './joined.js';
import {
  ensurePauseProcess as ensurePause, currentPausePid, findInPath, migrate, pausePidFile, nsMarker, NS_ENV, type NamespaceSpec,
} from './pause.js';

export type { IdMap, SubIdRange } from './subid.js';
export { migrate, pausePidFile, currentPausePid };

/** Set in the environment of everything started inside the namespace; the value is the pause pid. */
export const USERNS_ENV = '_TSMAN_USERNS';

/** The environment that marks a process started inside the namespace of pause process `pid`. */
function insideEnv(pid: number): Record<string, string> {
  const ns = nsMarker(pid);
  return ns === undefined ? { [USERNS_ENV]: String(pid) } : { [USERNS_ENV]: String(pid), [NS_ENV]: ns };
}

const FULL_RANGE = 4294967295;

function readProcMap(kind: 'uid' | 'gid'): IdMap[] {
  let text: string;
  try {
    text = readFileSync(`/proc/self/${kind}_map`, 'utf8');
  } catch {
    return [{ containerId: 0, hostId: 0, size: FULL_RANGE }];
  }
  const out: IdMap[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 3) continue;
    out.push({ containerId: Number(f[0]), hostId: Number(f[1]), size: Number(f[2]) });
  }
  return out;
}

let uidMapCache: IdMap[] | undefined;
function selfUidMap(): IdMap[] {
  return (uidMapCache ??= readProcMap('uid'));
}

function isIdentity(map: IdMap[]): boolean {
  return map.length === 1 && map[0]!.containerId === 0 && map[0]!.hostId === 0 && map[0]!.size === FULL_RANGE;
}

/**
 * Inside tsman's namespace: the marker is set AND our uid map is not the initial namespace's
 * `0 0 4294967295`. The marker alone could have leaked into a process outside; a non-identity map
 * alone means some other user namespace (a rootless container, `podman unshare`), where a non-root
 * user must still create its own.
 */
export function inUserNamespace(): boolean {
  return process.env[USERNS_ENV] !== undefined && !isIdentity(selfUidMap());
}

/**
 * Rootless mode (per-user storage, subordinate-id maps): an unprivileged user, whether or not this
 * process has already entered the namespace (inside it, geteuid() is 0). Like podman's IsRootless.
 */
export function isRootless(): boolean {
  return process.geteuid!() !== 0 || inUserNamespace();
}

/** Whether the CLI must re-exec itself into the namespace before doing any work. */
export function needsReexec(): boolean {
  return process.geteuid!() !== 0 && !inUserNamespace();
}

/** The user's ids on the host (inside the namespace, what container id 0 maps to). */
export function hostIds(): { uid: number; gid: number } {
  if (!inUserNamespace()) return { uid: process.getuid!(), gid: process.getgid!() };
  const hostOf = (map: IdMap[], fallback: number) => map.find((m) => m.containerId === 0)?.hostId ?? fallback;
  return { uid: hostOf(selfUidMap(), process.getuid!()), gid: hostOf(readProcMap('gid'), process.getgid!()) };
}

export interface IdFiles {
  subuidFile?: string;
  subgidFile?: string;
  passwdFile?: string;
}

/**
 * The maps tsman creates for a user (default: the current one): container id 0 = the user, then all
 * of its subordinate ranges in file order. Throws EUSERNS when the user has no range.
 */
export function getIdMappings(user?: string | number, files: IdFiles = {}): { uidMap: IdMap[]; gidMap: IdMap[] } {
  const { uidMap, gidMap } = namespaceSpec(user, files);
  return { uidMap, gidMap };
}

function namespaceSpec(user: string | number | undefined, files: IdFiles): NamespaceSpec {
  const subuidFile = files.subuidFile ?? SUBUID_FILE;
  const subgidFile = files.subgidFile ?? SUBGID_FILE;
  let uid: number;
  let gid: number;
  let name: string | undefined;
  if (user === undefined) {
    ({ uid, gid } = hostIds());
    name = lookupUser(uid, files.passwdFile ?? PASSWD_FILE)?.name;
  } else {
    const ent = lookupUser(user, files.passwdFile ?? PASSWD_FILE);
    if (!ent && typeof user === 'string') {
      throw new TsmanError('EUSERNS', `cannot find UID/GID for user ${user}: user not found in ${files.passwdFile ?? PASSWD_FILE}`);
    }
    uid = ent?.uid ?? (user as number);
    gid = ent?.gid ?? uid;
    name = ent?.name;
  }
  const who = name ?? String(uid);
  // newgidmap checks subgid ranges against the user's name (and uid) too, not the group's.
  const ref = { uid, name };
  const uidRanges = readSubIds(subuidFile, ref);
  const gidRanges = readSubIds(subgidFile, ref);
  const missing = uidRanges.length === 0 ? ['subuid', subuidFile] : gidRanges.length === 0 ? ['subgid', subgidFile] : undefined;
  if (missing) {
    // podman 4.3.1's wording (it then falls back to a single-id map; tsman refuses instead, since
    // nearly every image owns files by ids other than 0).
    throw new TsmanError('EUSERNS',
      `cannot find UID/GID for user ${who}: no ${missing[0]} ranges found for user "${who}" in ${missing[1]} - check rootless mode in man pages`,
      { hint: `add a range for "${who}" to ${subuidFile} and ${subgidFile} (e.g. usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${who}), then run "tsman system migrate"` });
  }
  return { user: who, uidMap: buildIdMap(uid, uidRanges), gidMap: buildIdMap(gid, gidRanges) };
}

/**
 * The pid of the pause process holding the namespace, creating it when needed. Inside the namespace
 * nothing is created: the recorded one is returned.
 */
export async function ensurePauseProcess(runtimeDir: string, files: IdFiles = {}): Promise<number> {
  if (inUserNamespace()) {
    const pid = await currentPausePid(runtimeDir);
    if (pid !== undefined) return pid;
    throw new TsmanError('EUSERNS', `the pause process of ${pausePidFile(runtimeDir)} is gone while this process is inside its namespace`);
  }
  return ensurePause(runtimeDir, () => namespaceSpec(undefined, files));
}

function nsenterCommand(pid: number, cwd: string, cmd: string, args: string[]): { file: string; args: string[] } {
  const nsenter = findInPath('nsenter');
  if (!nsenter) throw new TsmanError('EUSERNS', 'cannot join the user namespace: exec: "nsenter": executable file not found in $PATH');
  // Joining the mount namespace moves the cwd to `/`: the shell restores it by path, inside.
  return {
    file: nsenter,
    args: ['-t', String(pid), '-U', '-m', '--preserve-credentials', '--', '/bin/sh', '-c', 'cd -- "$0" && exec "$@"', cwd, cmd, ...args],
  };
}

/**
 * Spawn a program inside the namespace (`tsman unshare`, the runtime, helpers). When this process
 * is already inside, or is real root, the program is spawned directly. opts.cwd is honoured inside.
 */
export async function runInUserNamespace(runtimeDir: string, cmd: string, args: string[], opts: SpawnOptions = {}): Promise<ChildProcess> {
  if (!needsReexec()) return childProcess().spawn(cmd, args, opts);
  const pid = await ensurePauseProcess(runtimeDir);
  const { cwd, env, ...rest } = opts;
  const c = nsenterCommand(pid, cwd === undefined ? process.cwd() : String(cwd), cmd, args);
  return childProcess().spawn(c.file, c.args, { ...rest, env: { ...(env ?? process.env), ...insideEnv(pid) } });
}

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;

/**
 * Run this same program again inside the namespace and wait for it: argv is process.argv.slice(1)
 * (Node options in process.execArgv are passed too). Resolves with the exit code to use (a death by
 * signal N gives 128+N). Signals that reach this process are forwarded; a terminal's ^C reaches
 * both processes (same process group, like podman's re-exec), so the child may see SIGINT twice.
 */
export async function reexecInUserNamespace(runtimeDir: string, argv: string[]): Promise<number> {
  const pid = await ensurePauseProcess(runtimeDir);
  const c = nsenterCommand(pid, process.cwd(), process.execPath, [...process.execArgv, ...argv]);
  const child = childProcess().spawn(c.file, c.args, { stdio: 'inherit', env: { ...process.env, ...insideEnv(pid), [JOINED_ENV]: '1' } });
  const handlers = FORWARDED.map((sig) => {
    const h = () => { try { child.kill(sig); } catch { /* already gone */ } };
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new TsmanError('EUSERNS', `cannot join the user namespace: ${err.message}`, { cause: err })));
      child.once('exit', (code, signal) => {
        resolve(code ?? 128 + (signal ? (osc.signals[signal] ?? 0) : 0));
      });
    });
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
