// `tsman cp` (podman 4.3's cmd/podman/containers/cp.go over buildah's copier) and `tsman mount` /
// `umount` for containers.
//
// Safety: paths in a container are hostile and resolved only through the copier's View
// (src/storage/copier.ts: one component at a time, as chroot(2) would, never through a symlink out).
//
// The container's "/" is, while it runs, /proc/<pid>/root: its own mount namespace, so volumes,
// bind mounts and tmpfs are seen exactly as the container sees them (podman joins the mount
// namespace for the same reason). A stopped container's rootfs is mounted for the copy (and
// unmounted after, unless it was mounted already); its bind and volume mounts are then grafted in
// by the View when a walk reaches their destination (podman's resolvePath does it lexically).
//
// Copying out goes through a tar stream: the container's tree is written by the copier (symlinks
// as symlinks; only the source path itself is followed) and unpacked on the host by extractTree
// (whiteouts applied as deletions), which keeps every entry inside the destination directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as os from 'node:os';
import type { Engine } from './index.js';
import type { ContainerRecord } from './containers/types.js';
import { mustFindContainer, findContainer } from './containers/lookup.js';
import { ctrLock, currentState, mountRootfs, unmountRootfs } from './containers/lifecycle.js';
import { ContainerPaths } from './containers/paths.js';
import { alive } from './containers/state.js';
import { isMountPoint } from './imagemount.js';
import { TsmanError, errnoCode, wrapError } from '../errors.js';
import { extractTree } from '../storage/extract.js';
import { decompressStream } from '../storage/decompress.js';
import { parsePasswd, parseGroup } from '../runtime/users.js';
import { byteCompare } from '../util/human.js';
import { View, Node, hostView, writeTar, putTar, notArchive, nextHeader, preserveBase, closeFd, Aborted, O_PATH, C, type ViewMount, type Ids, type Info, type TreeOpts, type PutOpts } from '../storage/copier.js';
export type { Ids, ViewMount } from '../storage/copier.js';

/** The bind and volume mounts a stopped container would have, as host sources. */
async function stoppedMounts(engine: Engine, c: ContainerRecord): Promise<ViewMount[]> {
  const out: ViewMount[] = [];
  const clean = (d: string) => path.posix.normalize(`/${d}`).replace(/(.)\/+$/, '$1');
  const p = new ContainerPaths(engine.store, c.id);
  // what the runtime bind-mounts from userdata once the container has been started
  for (const [f, dest] of [['hosts', '/etc/hosts'], ['hostname', '/etc/hostname'], ['resolv.conf', '/etc/resolv.conf'], ['.containerenv', '/run/.containerenv']] as const) {
    const src = path.join(p.userdata, f);
    if (fs.existsSync(src)) out.push({ dest, source: src, ro: false });
  }
  let vols: typeof import('./volumes.js') | undefined;
  for (const m of c.config.mounts ?? []) {
    // O: an overlay over the source, whose writes are discarded; not the source itself
    if (m.options.includes('O')) continue;
    const ro = m.options.includes('ro');
    if (m.type === 'bind') {
      out.push({ dest: clean(m.destination), source: m.source, ro });
    } else if (m.type === 'volume') {
      vols ??= await import('./volumes.js');
      const rec = vols.lookupVolume(engine, m.source);
      if (!rec) continue;
      const special = vols.volumeMountOptions(rec);
      if (special) {
        // a volume mounted afresh at each start (tmpfs, a device): only a bind one has a source
        if (special.type === 'bind' && special.source) out.push({ dest: clean(m.destination), source: special.source, ro });
        continue;
      }
      out.push({ dest: clean(m.destination), source: rec.mountpoint, ro });
    }
  }
  // a later mount on the same destination hides an earlier one
  const byDest = new Map<string, ViewMount>();
  for (const m of out) byDest.set(m.dest, m);
  return [...byDest.values()];
}

/**
 * Run fn with a View of the container, under its lock: the running container's own root, or the
 * stopped container's rootfs (mounted for the occasion when it is not mounted already).
 */
async function withContainerView<T>(engine: Engine, c: ContainerRecord, fn: (v: View) => Promise<T>): Promise<T> {
  return ctrLock(engine, c.id).with(async () => {
    const st = await currentState(engine, c.id);
    if ((st.status === 'running' || st.status === 'paused') && st.pid) {
      let rootFd: number | undefined;
      try {
        rootFd = fs.openSync(`/proc/${st.pid}/root`, O_PATH | C.O_DIRECTORY);
      } catch (err) {
        if (alive(st.pid, st.pidStartTime)) throw wrapError(err, `open the root of container ${c.name}`);
      }
      // the descriptor is that of our container's process only if the pid was not reused meanwhile
      if (rootFd !== undefined && alive(st.pid, st.pidStartTime)) {
        const v = new View(rootFd, [], true);
        try { return await fn(v); } finally { v.close(); }
      }
      if (rootFd !== undefined) closeFd(rootFd);
    }
    const p = new ContainerPaths(engine.store, c.id);
    const wasMounted = isMountPoint(p.merged);
    const merged = await mountRootfs(engine, c);
    let v: View | undefined;
    try {
      v = new View(fs.openSync(merged, O_PATH | C.O_DIRECTORY), await stoppedMounts(engine, c), true);
      return await fn(v);
    } finally {
      v?.close();
      if (!wasMounted) await unmountRootfs(engine, c).catch(() => undefined);
    }
  });
}

/** Both containers' views, locks taken in id order (one view when both are the same container). */
async function withTwoViews<T>(engine: Engine, a: ContainerRecord, b: ContainerRecord, fn: (va: View, vb: View) => Promise<T>): Promise<T> {
  if (a.id === b.id) return withContainerView(engine, a, (v) => fn(v, v));
  const [first, second] = a.id < b.id ? [a, b] : [b, a];
  return withContainerView(engine, first, (v1) => withContainerView(engine, second, (v2) => (first === a ? fn(v1, v2) : fn(v2, v1))));
}

// ---- the container's user (podman's getContainerUser: the ids --user names, 0:0 without) --------

function containerUser(v: View, spec: string): Ids {
  if (!spec) return { uid: 0, gid: 0 };
  const colon = spec.indexOf(':');
  const u = colon < 0 ? spec : spec.slice(0, colon);
  const g = colon < 0 ? '' : spec.slice(colon + 1);
  const ids: Ids = { uid: 0, gid: 0 };
  if (u !== '') {
    const n = /^\d+$/.test(u) ? Number(u) : undefined;
    const e = parsePasswd(v.readSmall('/etc/passwd') ?? '').find((x) => x.name === u || (n !== undefined && x.uid === n));
    if (e) { ids.uid = e.uid; ids.gid = e.gid; } else if (n !== undefined) ids.uid = n;
    else throw new TsmanError('EUSAGE', `unable to find user ${u}: no matching entries in passwd file`);
  }
  if (g !== '') {
    const n = /^\d+$/.test(g) ? Number(g) : undefined;
    const e = parseGroup(v.readSmall('/etc/group') ?? '').find((x) => x.name === g || (n !== undefined && x.gid === n));
    if (e) ids.gid = e.gid; else if (n !== undefined) ids.gid = n;
    else throw new TsmanError('EUSAGE', `unable to find group ${g}: no matching entries in group file`);
  }
  return ids;
}

// ---- tree -> tar ---------------------------------------------------------------------------------

/** A container path as the user gave it: relative to the working directory, "/" = its contents. */
function ctrAbs(c: ContainerRecord, p: string): string {
  if (p === '/') p = '/.';
  if (p.startsWith('/')) return p;
  return preserveBase(p, path.posix.join('/', c.config.workdir || '/', p));
}

/** Stat a container path (following symlinks), or undefined when it is not there. */
function statIn(v: View, abs: string): Info | undefined {
  let n: Node;
  try {
    n = v.resolve(abs, { follow: true });
  } catch (err) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP'].includes(errnoCode(err) ?? '')) return undefined;
    throw err;
  }
  if (!n.st) { n.close(); return undefined; }
  return { isDir: n.st.isDirectory(), target: preserveBase(abs, n.cpath), node: n };
}

interface HostInfo { isDir: boolean; isFile: boolean; target: string }

/** podman's ResolveHostPath: absolute, stat() following symlinks, the path itself kept. */
function statHost(p: string): HostInfo | undefined {
  const abs = preserveBase(p, path.resolve(p));
  try {
    const st = fs.statSync(abs);
    return { isDir: st.isDirectory(), isFile: st.isFile(), target: abs };
  } catch (err) {
    if (['ENOENT', 'ENOTDIR'].includes(errnoCode(err) ?? '')) return undefined;
    throw wrapError(err, `stat "${abs}"`);
  }
}

function notOnHost(p: string, why = 'no such file or directory'): TsmanError {
  return new TsmanError('ENOTFOUND', `"${p}" could not be found on the host: ${why}`);
}

function notInContainer(p: string, ctr: string, why = 'no such file or directory'): TsmanError {
  return new TsmanError('ENOTFOUND', `"${p}" could not be found on container ${ctr}: ${why}`);
}

/** podman's parseUserInput: `[CONTAINER:]PATH`; a path starting with "." or "/" is never a container. */
export function parseCpArg(arg: string): { ctr: string; path: string } {
  if (arg === '' || arg[0] === '.' || arg[0] === '/') return { ctr: '', path: arg };
  const i = arg.indexOf(':');
  return i < 0 ? { ctr: '', path: arg } : { ctr: arg.slice(0, i), path: arg.slice(i + 1) };
}

function ctrMustExist(engine: Engine, name: string): ContainerRecord {
  const c = findContainer(engine.store.read(), name);
  if (!c) throw new TsmanError('ENOTFOUND', `container "${name}" does not exist`);
  return c;
}

interface DestInfo { isDir: boolean; dir: string; base: string; toParent: boolean }

/** podman's resolvePathOnDestinationContainer: the path, or its parent when it does not exist yet. */
function destIn(v: View, c: ContainerRecord, name: string, p: string, isStdin: boolean): DestInfo {
  const abs = ctrAbs(c, p);
  const info = statIn(v, abs);
  if (info) {
    info.node.close();
    const cpath = info.node.cpath;
    return { isDir: info.isDir, dir: info.isDir ? cpath : path.posix.dirname(cpath), base: path.posix.basename(cpath), toParent: false };
  }
  if (p.endsWith('/')) throw notInContainer(p, name);
  if (isStdin) throw new TsmanError('EUSAGE', 'destination must be a directory when copying from stdin');
  // the parent must exist; a dangling symlink names the path to create (podman: "into nirvana")
  let n: Node;
  try {
    n = v.resolve(abs, { follow: true });
  } catch (err) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP'].includes(errnoCode(err) ?? '')) throw notInContainer(p, name);
    throw err;
  }
  n.close();
  return { isDir: true, dir: path.posix.dirname(n.cpath), base: path.posix.basename(n.cpath), toParent: true };
}

// ---- the copies ----------------------------------------------------------------------------------

export interface CpOptions {
  /** chown what is copied into a container to its user (podman's default --archive=true) */
  archive: boolean;
  /** replace directories by non-directories and the reverse */
  overwrite: boolean;
  stdin: Readable;
  stdout: Writable;
  warn: (msg: string) => void;
}

export async function copy(engine: Engine, srcArg: string, destArg: string, o: CpOptions): Promise<void> {
  const src = parseCpArg(srcArg);
  const dst = parseCpArg(destArg);
  if (src.path === '' || dst.path === '') {
    throw new TsmanError('EUSAGE', `invalid arguments "${srcArg}", "${destArg}": you must specify paths`);
  }
  if (src.ctr && dst.ctr) return containerToContainer(engine, src.ctr, src.path, dst.ctr, dst.path, o);
  if (src.ctr) return fromContainer(engine, src.ctr, src.path, dst.path, o);
  if (!dst.ctr) throw new TsmanError('EUSAGE', 'name or ID cannot be empty', { hint: 'one of the two paths must be CONTAINER:PATH' });
  return toContainer(engine, dst.ctr, dst.path, src.path, o);
}

/** Context for a failure of one side of a copy (an abort is the other side's failure: left as is). */
function context(err: unknown, what: string): unknown {
  if (err instanceof Aborted) return err;
  return wrapError(err, what);
}

/** Run the producer and the consumer of a stream together; the first failure wins. */
async function both(a: Promise<void>, b: Promise<void>): Promise<void> {
  const r = await Promise.allSettled([a, b]);
  const failed = r.filter((x): x is PromiseRejectedResult => x.status === 'rejected').map((x) => x.reason as unknown);
  // the producer's "aborted" only echoes the consumer's failure
  const real = failed.find((e) => !(e instanceof Aborted));
  if (real !== undefined) throw real;
  if (failed.length) throw failed[0];
}

async function fromContainer(engine: Engine, name: string, cPath: string, hostPath: string, o: CpOptions): Promise<void> {
  const c = ctrMustExist(engine, name);
  const isStdout = hostPath === '-';
  await withContainerView(engine, c, async (v) => {
    const info = statIn(v, ctrAbs(c, cPath));
    if (!info) throw notInContainer(cPath, name);
    try {
      if (isStdout) {
        const user = containerUser(v, c.config.user);
        const top = info.isDir && path.posix.basename(info.target) === '.' ? null : path.posix.basename(info.node.cpath);
        const pass = new PassThrough();
        const onError = (err: Error) => pass.destroy(new TsmanError('EGENERIC', `copying to stdout: ${errnoCode(err) === 'EPIPE' ? 'broken pipe' : err.message}`));
        o.stdout.on('error', onError);
        try {
          pass.pipe(o.stdout, { end: false });
          const done = new Promise<void>((res, rej) => { pass.on('end', res); pass.on('error', rej); });
          await both(writeTar(v, info.node, top, pass, { ids: user, warn: o.warn }), done);
        } finally {
          o.stdout.off('error', onError);
        }
        return;
      }
      let host = statHost(hostPath);
      let base: string;
      let toParent = false;
      if (!host) {
        if (hostPath.endsWith('/')) throw notOnHost(hostPath);
        host = statHost(path.dirname(path.resolve(hostPath)));
        if (!host) throw notOnHost(hostPath);
        if (!host.isDir) throw notOnHost(hostPath, 'not a directory');
        base = path.basename(hostPath);
        toParent = true;
      } else {
        base = path.basename(host.target);
      }
      if (!host.isDir && !host.isFile) throw new TsmanError('EUSAGE', `invalid destination: "${host.target}" must be a directory or a regular file`);
      let target = info.target;
      if (toParent && info.isDir && target.endsWith('.')) target = path.posix.dirname(target);
      if (info.isDir && !host.isDir) throw new TsmanError('EUSAGE', 'destination must be a directory when copying a directory');
      const rename = (!info.isDir && !host.isDir) || toParent;
      const contentsOnly = info.isDir && path.posix.basename(target) === '.';
      const top = contentsOnly ? null : rename ? base : path.posix.basename(info.node.cpath);
      const dir = host.isDir ? host.target : path.dirname(host.target);
      const pass = new PassThrough();
      const me = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
      const extracting = extractTree(pass, dir, { rootless: engine.rootless, warn: o.warn })
        .then(() => undefined, (err) => { pass.destroy(err); throw wrapError(err, 'copying to host'); });
      await both(writeTar(v, info.node, top, pass, { ids: me, skipDevices: true, skipWhiteouts: true, warn: o.warn })
        .catch((err) => { throw context(err, 'copying from container'); }), extracting);
    } finally {
      info.node.close();
    }
  });
}

async function toContainer(engine: Engine, name: string, cPath: string, hostPath: string, o: CpOptions): Promise<void> {
  const c = ctrMustExist(engine, name);
  const isStdin = hostPath === '-';
  const host = isStdin ? undefined : statHost(hostPath);
  if (!isStdin && !host) throw notOnHost(hostPath);
  // stdin is read to its end before the container is locked (podman spools it to a file too):
  // `tsman cp c:/a - | tsman cp - c:/b` must not wait for the lock its own writer holds
  const spool = isStdin ? await spoolStdin(o.stdin) : undefined;
  try {
    await withContainerView(engine, c, async (v) => {
      const d = destIn(v, c, name, cPath, isStdin);
      const ids = o.archive ? containerUser(v, c.config.user) : undefined;
      const put: PutOpts = { ids, overwrite: o.overwrite, rootless: engine.rootless, warn: o.warn };
      if (spool) {
        if (!d.isDir) throw new TsmanError('EUSAGE', 'destination must be a directory when copying from stdin');
        const input = await decompressStream(fs.createReadStream(spool.file));
        try {
          await putTar(v, d.dir, input, put, true);
        } catch (err) {
          throw err instanceof TsmanError && err.message.startsWith('source must be') ? err : context(err, 'copying to container');
        }
        return;
      }
      await hostToContainer(v, d, host!, put, o);
    });
  } finally {
    if (spool) fs.rmSync(spool.dir, { recursive: true, force: true });
  }
}

/** stdin into a private temporary file. */
async function spoolStdin(stdin: Readable): Promise<{ dir: string; file: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsman-cp-'));
  const file = path.join(dir, 'stdin');
  try {
    await pipeline(stdin, fs.createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw wrapError(err, 'read stdin');
  }
  return { dir, file };
}

async function hostToContainer(v: View, d: DestInfo, host: HostInfo, put: PutOpts, o: CpOptions): Promise<void> {
  let target = host.target;
  if (d.toParent && host.isDir && target.endsWith('.')) target = path.dirname(target);
  if (host.isDir && !d.isDir) throw new TsmanError('EUSAGE', 'destination must be a directory when copying a directory');
  const rename = (!host.isDir && !d.isDir) || d.toParent;
  const contentsOnly = host.isDir && path.basename(target) === '.';
  const top = contentsOnly ? null : rename ? d.base : path.basename(target);
  const hv = hostView();
  try {
    const node = hv.resolve(target, { follow: true });
    try {
      if (!node.st) throw notOnHost(host.target);
      const pass = new PassThrough();
      await both(
        writeTar(hv, node, top, pass, { warn: o.warn }).catch((err) => { throw context(err, 'copying from host'); }),
        putTar(v, d.dir, pass, put).catch((err) => { pass.destroy(err); throw context(err, 'copying to container'); }),
      );
    } finally {
      node.close();
    }
  } finally {
    hv.close();
  }
}

async function containerToContainer(engine: Engine, srcName: string, srcPath: string, dstName: string, dstPath: string, o: CpOptions): Promise<void> {
  const sc = ctrMustExist(engine, srcName);
  const dc = ctrMustExist(engine, dstName);
  await withTwoViews(engine, sc, dc, async (sv, dv) => {
    const info = statIn(sv, ctrAbs(sc, srcPath));
    if (!info) throw notInContainer(srcPath, srcName);
    try {
      const d = destIn(dv, dc, dstName, dstPath, false);
      if (info.isDir && !d.isDir) throw new TsmanError('EUSAGE', 'destination must be a directory when copying a directory');
      let target = info.target;
      if (d.toParent && info.isDir && target.endsWith('.')) target = path.posix.dirname(target);
      const rename = (!info.isDir && !d.isDir) || d.toParent;
      const contentsOnly = info.isDir && path.posix.basename(target) === '.';
      const top = contentsOnly ? null : rename ? d.base : path.posix.basename(info.node.cpath);
      const srcUser = containerUser(sv, sc.config.user);
      const put: PutOpts = { ids: o.archive ? containerUser(dv, dc.config.user) : undefined, overwrite: o.overwrite, rootless: engine.rootless, warn: o.warn };
      const pass = new PassThrough();
      await both(
        writeTar(sv, info.node, top, pass, { ids: srcUser, warn: o.warn }).catch((err) => { throw context(err, 'copying from container'); }),
        putTar(dv, d.dir, pass, put).catch((err) => { pass.destroy(err); throw context(err, 'copying to container'); }),
      );
    } finally {
      info.node.close();
    }
  });
}

// ---- mount / umount ------------------------------------------------------------------------------

export interface MountedContainer { id: string; names: string[]; path: string }

/** Containers whose root filesystem is mounted (running ones included), podman's `mount` list. */
export function listContainerMounts(engine: Engine): MountedContainer[] {
  const out: MountedContainer[] = [];
  for (const c of engine.store.read().containers ?? []) {
    const p = new ContainerPaths(engine.store, c.id).merged;
    if (isMountPoint(p)) out.push({ id: c.id, names: [c.name], path: p });
  }
  return out;
}

export function latestContainer(engine: Engine): ContainerRecord {
  const all = [...(engine.store.read().containers ?? [])].sort((a, b) => byteCompare(b.created, a.created));
  if (!all[0]) throw new TsmanError('ENOTFOUND', 'no containers to act on: no such container');
  return all[0];
}

/** Look every name up before acting on any (podman fails without mounting anything). */
export function findAll(engine: Engine, names: string[]): ContainerRecord[] {
  const state = engine.store.read();
  return names.map((n) => mustFindContainer(state, n));
}

export async function mountContainer(engine: Engine, c: ContainerRecord): Promise<string> {
  return ctrLock(engine, c.id).with(() => mountRootfs(engine, c));
}

/** Unmount a stopped container's rootfs; a running container keeps its root (true if it did). */
export async function unmountContainer(engine: Engine, c: ContainerRecord): Promise<boolean> {
  return ctrLock(engine, c.id).with(async () => {
    const st = await currentState(engine, c.id);
    if (st.status === 'running' || st.status === 'paused') return false;
    await unmountRootfs(engine, c);
    return true;
  });
}
