/*
 * The rootless user+mount namespace and the pause process that keeps it alive.
 *
 * Why unshare + catatonit + nsenter. The kernel refuses unshare(CLONE_NEWUSER) and setns() into a
 * user or mount namespace from a multithreaded process, and Node always is (libuv's pool, V8's
 * platform threads). So the namespace is created, and later joined, by small single-threaded
 * programs, never by Node itself:
 *   - `unshare -U -m --propagation slave <catatonit> -P`, started detached (setsid, stdio on
 *     /dev/null, cwd `/`), makes the namespaces and execs catatonit in pause mode: podman's own
 *     pause process. `slave` propagation: host mounts made later still show up inside, mounts made
 *     inside (container rootfs overlays) stay there. The mount namespace lives as long as the pause
 *     process does, so kernel overlay mounts of running containers persist between invocations.
 *   - the maps are written from outside by newuidmap/newgidmap (setuid helpers, they check
 *     /etc/subuid and /etc/subgid): container id 0 = the user, then EVERY subordinate range of the
 *     user, contiguous (podman's layout; `unshare --map-auto` would map only the first range).
 *     We wait for the child's comm to become `catatonit` first: unshare only execs it after the
 *     unshare() and the propagation change, so the maps land on the new namespace, not ours.
 *   - `nsenter -t PID -U -m --preserve-credentials` joins it for each later invocation (re-exec of
 *     the CLI, or one program). setns() into a mount namespace moves the cwd to its root, and
 *     nsenter's `--wd=DIR` opens DIR before joining (so a mount that exists only inside is missed),
 *     hence a `/bin/sh -c 'cd -- "$0" && exec "$@"'` step that restores the cwd by path.
 *
 * Publication protocol (several invocations may start at once):
 *   1. read <runtimeDir>/tsman/pause.pid (`PID STARTTIME USERNS MNTNS`: the namespaces' inode
 *      numbers, so they can be found again without the pause process); if that process is alive
 *      with that start time (field 22 of /proc/PID/stat, so a reused pid is caught) and is no
 *      zombie, use it. No lock: the file is only ever replaced whole (rename).
 *   2. else take pause.lock (flock), read again (someone may have just replaced it), and only then
 *      make a pause process, write the maps (fresh namespace), and publish: write a temp file and
 *      rename() it over pause.pid. Nobody ever sees a pid whose maps are not yet written, and two
 *      invocations never make two namespaces (the second finds the first's file in step 2).
 *   3. a stale file is not removed first: what it names is the namespace to go back to (below).
 * `migrate` removes pause.pid under the same lock, then SIGKILLs the pause process and waits until
 * it has exited (a zombie counts: PID 1 here reaps orphans late). Mounts inside the namespace go
 * with it, once nothing else is in it.
 *
 * Recovery when the pause process died (killed, OOM, a user's `pkill catatonit`) while containers
 * still run: their processes keep the old namespaces alive, and a new namespace, even with the
 * same maps, is a sibling that cannot enter them (`runc exec` fails in setns, /proc/PID/ns of the
 * container is EACCES, the rootfs overlays are mounted in the old mount namespace only). So, as
 * podman does from its conmon pid files, a new pause process is started INSIDE the old namespaces
 * when anything of tsman's still holds them: a process of this user in the recorded user AND
 * mount namespaces that carries tsman's marker for them (NS_ENV; conmon of every running
 * container has it), entered with `nsenter -t HOLDER -U -m catatonit -P` and published as in 2.
 * Only when nothing holds them is a fresh namespace made, with the same maps (the store's files
 * are owned by subordinate ids, so any namespace mapping the same ranges reads it). A pid file of
 * an older tsman (no inode numbers) is matched by the `_TSMAN_USERNS=PID` it gave its processes.
 *
 * Measured (hyperfine, 40 runs, as an unprivileged user; 2 cores shared with other builds, load
 * 2-4, so absolute numbers are noisy, the ratios are not):
 *   node -e 0                                                   mean  95 ms (min  74)
 *   node -e: import this module, print getuid()                 mean 129 ms (min  97)
 *   the same script re-exec'd by reexecInUserNamespace          mean 301 ms (min 207)
 *   id -u                                                       mean 1.9 ms
 *   nsenter -t PID -U -m -- id -u                               mean 2.8 ms
 *   nsenter + the `sh -c cd` step -- id -u                      mean 4.2 ms
 *   runInUserNamespace('id', ['-u']) from a running Node        median 5-7 ms
 *   ensurePauseProcess when it has to create (spawn, maps, link) median 11-17 ms
 *   podman unshare id -u (reference)                            mean 110 ms
 * The re-exec costs a second Node start plus module loading (2.3-2.6x a trivial command here); the
 * join itself (nsenter + sh) is ~3 ms. Running only namespace-bound children through
 * runInUserNamespace costs a few ms each.
 */
import type { ChildProcess } from 'node:child_process';
import { childProcess } from '../util/builtin.js';
import { promises as fsp, readFileSync, readlinkSync, readdirSync, statSync, accessSync, constants as fsc } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from '../util/random.js';
import { TsmanError, errnoCode } from '../errors.js';
import { FileLock } from '../util/lock.js';
import { mkdirp, sleep } from '../util/fsutil.js';
import { idMapArgs, idMapSize, type IdMap } from './subid.js';

/** What creating the namespace needs; computed only when one has to be created. */
export interface NamespaceSpec {
  user: string;
  uidMap: IdMap[];
  gidMap: IdMap[];
}

/** Environment variable of the pause process naming its runtime directory (for `ps e` / tests). */
export const PAUSE_ENV = 'TSMAN_PAUSE_DIR';

export function pauseDir(runtimeDir: string): string {
  return path.join(runtimeDir, 'tsman');
}

export function pausePidFile(runtimeDir: string): string {
  return path.join(pauseDir(runtimeDir), 'pause.pid');
}

interface ProcStat {
  comm: string;
  state: string;
  startTime: string;
}

export function readProcStat(pid: number): ProcStat | undefined {
  let s: string;
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm may hold spaces and parentheses: it ends at the LAST ')'.
  const close = s.lastIndexOf(')');
  const rest = s.slice(close + 2).split(' ');
  return { comm: s.slice(s.indexOf('(') + 1, close), state: rest[0] ?? '', startTime: rest[19] ?? '' };
}

/** Alive, not a zombie, and the same process (start time) that was recorded. */
export function processMatches(pid: number, startTime: string): boolean {
  const st = readProcStat(pid);
  return st !== undefined && st.startTime === startTime && st.state !== 'Z' && st.state !== 'X';
}

interface PauseFile {
  raw: string;
  pid?: number;
  /** inode numbers of the namespaces it held (absent in an older tsman's file) */
  userNs?: string;
  mntNs?: string;
  valid: boolean;
}

async function readPauseFile(file: string): Promise<PauseFile | undefined> {
  let raw: string;
  try {
    raw = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  const m = /^([1-9][0-9]*) ([0-9]+)(?: ([0-9]+) ([0-9]+))?\n?$/.exec(raw);
  if (!m) return { raw, valid: false };
  const pid = Number(m[1]);
  return { raw, pid, userNs: m[3], mntNs: m[4], valid: processMatches(pid, m[2]!) };
}

/** The inode number of one of a process's namespaces (`user:[4026532123]`), if it can be read. */
export function nsInode(pid: number | 'self', kind: 'user' | 'mnt'): string | undefined {
  try {
    return /\[([0-9]+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${kind}`))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Environment marker of every process tsman runs inside its namespace (bin/tsman, the re-exec,
 * runInUserNamespace; conmon and `tsman unshare` children inherit it): `USERNS:MNTNS`, the inode
 * numbers of the namespaces it was started in.
 */
export const NS_ENV = '_TSMAN_NS';

/** NS_ENV's value for the namespaces of pid (the pause process). */
export function nsMarker(pid: number): string | undefined {
  const user = nsInode(pid, 'user');
  const mnt = nsInode(pid, 'mnt');
  return user === undefined || mnt === undefined ? undefined : `${user}:${mnt}`;
}

/**
 * Processes of this user still inside the namespaces a stale pause file names (conmon, a
 * `tsman unshare` shell). Two proofs each: its /proc/PID/ns/user and ns/mnt are the recorded
 * ones, AND it carries NS_ENV with those numbers. The numbers alone are not enough: once a
 * namespace is gone the kernel hands its inode number to the next namespace made (lowest free),
 * say another pause process of this user, podman's, or a container's own.
 */
function namespaceHolders(stale: PauseFile): number[] {
  if (stale.pid === undefined) return [];
  const uid = process.geteuid!();
  const ownUserNs = nsInode('self', 'user');
  // an older tsman's file has no inode numbers: everything it started inside carried the pause pid
  const marker = stale.userNs !== undefined ? `${NS_ENV}=${stale.userNs}:${stale.mntNs}\0` : `_TSMAN_USERNS=${stale.pid}\0`;
  const found: number[] = [];
  let names: string[];
  try { names = readdirSync('/proc'); } catch { return []; }
  for (const name of names) {
    if (!/^[0-9]+$/.test(name) || Number(name) === process.pid) continue;
    const pid = Number(name);
    try {
      if (statSync(`/proc/${name}`).uid !== uid) continue;
    } catch { continue; }
    const user = nsInode(pid, 'user');
    if (user === undefined || user === ownUserNs) continue;
    if (stale.userNs !== undefined && (user !== stale.userNs || nsInode(pid, 'mnt') !== stale.mntNs)) continue;
    let env: string;
    try { env = readFileSync(`/proc/${name}/environ`, 'latin1'); } catch { continue; }
    if (env.startsWith(marker) || env.includes(`\0${marker}`)) found.push(pid);
  }
  return found;
}

/** The live pause pid recorded for this runtime dir, without creating anything. */
export async function currentPausePid(runtimeDir: string): Promise<number | undefined> {
  const cur = await readPauseFile(pausePidFile(runtimeDir));
  return cur?.valid ? cur.pid : undefined;
}

function pauseLock(runtimeDir: string): FileLock {
  return new FileLock(path.join(pauseDir(runtimeDir), 'pause.lock'));
}

async function removeIfUnchanged(runtimeDir: string, raw: string): Promise<void> {
  const file = pausePidFile(runtimeDir);
  await pauseLock(runtimeDir).with(async () => {
    const now = await fsp.readFile(file, 'utf8').catch(() => undefined);
    if (now === raw) await fsp.rm(file, { force: true });
  });
}

export function findInPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    if (dir === '') continue;
    const p = path.join(dir, name);
    try {
      accessSync(p, fsc.X_OK);
      if (statSync(p).isFile()) return p;
    } catch { /* next */ }
  }
  return undefined;
}

function requireTool(name: string, why: string): string {
  const p = findInPath(name);
  if (!p) throw new TsmanError('EUSERNS', `${why}: exec: "${name}": executable file not found in $PATH`);
  return p;
}

function findCatatonit(): string {
  const p = findInPath('catatonit') ??
    ['/usr/libexec/podman/catatonit', '/usr/libexec/catatonit/catatonit'].find((c) => {
      try { accessSync(c, fsc.X_OK); return true; } catch { return false; }
    });
  if (!p) {
    throw new TsmanError('EUSERNS', 'cannot find the pause process binary: exec: "catatonit": executable file not found in $PATH',
      { hint: 'install the catatonit package' });
  }
  return p;
}

/** Whether a helper can raise its privilege: setuid root, or a security.capability xattr. */
async function hasPrivilege(file: string): Promise<boolean> {
  try {
    const st = statSync(file);
    if ((st.mode & 0o4000) !== 0 && st.uid === 0) return true;
  } catch { return false; }
  try {
    const { lgetxattr } = await import('../util/libc.js');
    return lgetxattr(file, 'security.capability') !== undefined;
  } catch {
    return true; // cannot tell: do not claim it is the cause
  }
}

async function writeMap(helper: string, pid: number, map: IdMap[], kind: 'uid' | 'gid'): Promise<void> {
  const args = [String(pid), ...idMapArgs(map)];
  const res = await new Promise<{ code: number | null; stderr: string; err?: Error }>((resolve) => {
    childProcess().execFile(helper, args, { encoding: 'utf8' }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr, err: err ?? undefined });
    });
  });
  if (res.code === 0) return;
  const prefix = `cannot set up namespace using "${helper}"`;
  if (!(await hasPrivilege(helper))) {
    const cap = kind === 'uid' ? 'cap_setuid' : 'cap_setgid';
    throw new TsmanError('EUSERNS', `${prefix}: should have setuid or have filecaps set${kind}`, {
      hint: `as root: chmod u+s ${helper} (or setcap ${cap}+ep ${helper}), then run "tsman system migrate"`,
    });
  }
  const detail = res.stderr.trim() || res.err?.message || 'failed';
  const status = res.code === null ? '' : `: exit status ${res.code}`;
  throw new TsmanError('EUSERNS', `${prefix}: running \`${helper} ${args.join(' ')}\`: ${detail}${status}`);
}

let warnedSmall = false;

function warnIfSmall(spec: NamespaceSpec): void {
  // One id (the user's own) plus fewer than 65536 subordinate ids: busybox works, but a layer owning
  // files by e.g. nobody (65534) cannot be extracted. Podman says nothing until the extraction
  // fails; a warning at namespace creation points at the cause early, once per namespace.
  const uids = idMapSize(spec.uidMap) - 1;
  const gids = idMapSize(spec.gidMap) - 1;
  if (warnedSmall || (uids >= 65536 && gids >= 65536)) return;
  warnedSmall = true;
  process.stderr.write(`WARN[0000] user "${spec.user}" has only ${uids} subordinate uids and ${gids} subordinate gids ` +
    '(65536 recommended in /etc/subuid and /etc/subgid): images owning files by higher ids will fail to extract\n');
}

interface Created {
  pid: number;
  startTime: string;
  child: ChildProcess;
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  await exited;
}

/** Start `file args` (ending in `catatonit -P`) detached, as a pause process of runtimeDir. */
function spawnPause(runtimeDir: string, file: string, args: string[]): ChildProcess {
  return childProcess().spawn(file, args, {
    detached: true,
    stdio: 'ignore',
    cwd: '/',
    env: { [PAUSE_ENV]: pauseDir(runtimeDir), PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
}

/**
 * Wait until the child has become catatonit (the tool before it execs catatonit only after it
 * has made or entered the namespaces). Resolves false when the child exited first.
 */
async function becomesPause(child: ChildProcess, what: string): Promise<boolean> {
  let spawnError: Error | undefined;
  child.once('error', (e) => { spawnError = e; });
  const deadline = Date.now() + 10_000;
  for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
    if (child.pid === undefined) await sleep(0); // a failed spawn reports its error on a later tick
    if (spawnError || child.pid === undefined) {
      throw new TsmanError('EUSERNS', `${what}: ${spawnError?.message ?? 'spawn failed'}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (readProcStat(child.pid)?.comm === 'catatonit') return true;
    if (Date.now() > deadline) {
      await killChild(child).catch(() => {});
      throw new TsmanError('EUSERNS', `${what}: timed out waiting for the pause process`);
    }
    await sleep(wait);
  }
}

async function createNamespace(runtimeDir: string, spec: NamespaceSpec): Promise<Created> {
  const why = 'command required for rootless mode with multiple IDs';
  const newuidmap = requireTool('newuidmap', why);
  const newgidmap = requireTool('newgidmap', why);
  const unshare = requireTool('unshare', 'cannot create the user namespace');
  const catatonit = findCatatonit();

  const child = spawnPause(runtimeDir, unshare, ['-U', '-m', '--propagation', 'slave', catatonit, '-P']);
  const fail = async (err: TsmanError): Promise<never> => {
    await killChild(child).catch(() => {});
    throw err;
  };
  if (!await becomesPause(child, 'cannot create the user namespace')) {
    // stdio was /dev/null; re-run the same step in the foreground to learn why it failed.
    const diag = childProcess().spawnSync(unshare, ['-U', '-m', 'true'], { encoding: 'utf8', cwd: '/' });
    const detail = (diag.stderr ?? '').trim() || `${path.basename(unshare)} exited with status ${child.exitCode ?? child.signalCode}`;
    throw new TsmanError('EUSERNS', `cannot create the user namespace: ${detail}`,
      { hint: 'user namespaces must be enabled (sysctl user.max_user_namespaces > 0)' });
  }
  const pid = child.pid!;
  try {
    await Promise.all([writeMap(newuidmap, pid, spec.uidMap, 'uid'), writeMap(newgidmap, pid, spec.gidMap, 'gid')]);
  } catch (err) {
    await fail(err as TsmanError);
  }
  const startTime = readProcStat(pid)?.startTime;
  if (startTime === undefined) await fail(new TsmanError('EUSERNS', `the pause process ${pid} exited right after it was created`));
  warnIfSmall(spec);
  return { pid, startTime: startTime!, child };
}

/**
 * A new pause process inside the namespace a dead one held, entered through a process still in it
 * (see "Recovery" above); undefined when nothing holds it any more (or entering failed).
 */
async function rejoinNamespace(runtimeDir: string, stale: PauseFile): Promise<Created | undefined> {
  const holders = namespaceHolders(stale);
  if (holders.length === 0) return undefined;
  const nsenter = findInPath('nsenter');
  if (!nsenter) return undefined;
  const catatonit = findCatatonit();
  for (const holder of holders.slice(0, 4)) {
    const want = nsMarker(holder);
    const child = spawnPause(runtimeDir, nsenter, ['-t', String(holder), '-U', '-m', '--preserve-credentials', '--', catatonit, '-P']);
    if (!await becomesPause(child, 'cannot rejoin the user namespace')) continue; // the holder went meanwhile
    const startTime = readProcStat(child.pid!)?.startTime;
    if (startTime !== undefined && want !== undefined && nsMarker(child.pid!) === want) {
      return { pid: child.pid!, startTime, child };
    }
    await killChild(child);
  }
  return undefined;
}

/** Publish under pause.lock: the file is replaced whole, never seen half-written. */
async function publish(runtimeDir: string, c: Created): Promise<void> {
  const file = pausePidFile(runtimeDir);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const ns = nsMarker(c.pid);
  if (ns === undefined) throw new Error(`the pause process ${c.pid} exited right after it was created`);
  try {
    await fsp.writeFile(tmp, `${c.pid} ${c.startTime} ${ns.replace(':', ' ')}\n`, { mode: 0o600, flag: 'wx' });
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * The pid of the live pause process for runtimeDir, going back into the namespace a dead one held
 * when anything still holds it, else creating one. `spec` is called only when a namespace has to
 * be created (it reads /etc/subuid and may throw).
 */
export async function ensurePauseProcess(runtimeDir: string, spec: () => NamespaceSpec): Promise<number> {
  const file = pausePidFile(runtimeDir);
  const cur = await readPauseFile(file);
  if (cur?.valid) return cur.pid!;
  await mkdirp(pauseDir(runtimeDir));
  return pauseLock(runtimeDir).with(async () => {
    const now = await readPauseFile(file);
    if (now?.valid) return now.pid!;
    const created = (now && await rejoinNamespace(runtimeDir, now)) || await createNamespace(runtimeDir, spec());
    try {
      await publish(runtimeDir, created);
    } catch (err) {
      await killChild(created.child);
      throw new TsmanError('EUSERNS', `write ${file}: ${(err as Error).message}`, { cause: err });
    }
    created.child.unref();
    return created.pid;
  });
}

/**
 * `tsman system migrate`: forget the namespace so the next invocation creates one from the current
 * /etc/subuid and /etc/subgid. Returns the pid that was killed, if any.
 */
export async function migrate(runtimeDir: string): Promise<number | undefined> {
  const file = pausePidFile(runtimeDir);
  const cur = await readPauseFile(file);
  if (!cur) return undefined;
  await removeIfUnchanged(runtimeDir, cur.raw);
  if (!cur.valid) return undefined;
  const pid = cur.pid!;
  const startTime = readProcStat(pid)?.startTime;
  if (startTime === undefined) return undefined;
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if (errnoCode(err) === 'ESRCH') return pid;
    throw new TsmanError('EUSERNS', `kill the pause process ${pid}: ${(err as Error).message}`, { cause: err });
  }
  const deadline = Date.now() + 10_000;
  for (let wait = 1; processMatches(pid, startTime); wait = Math.min(wait * 2, 20)) {
    if (Date.now() > deadline) throw new TsmanError('EUSERNS', `the pause process ${pid} did not exit after SIGKILL`);
    await sleep(wait);
  }
  return pid;
}
