// The image and layer store. Durable data lives in <graphroot>/tsman (tsman keeps its own
// subdirectory so a graphroot can be shared with podman without either touching the other's
// files); volatile data (mounts) in <runroot>/tsman.
//
// Metadata is ONE file, store.json, replaced atomically: readers never need a lock and always see
// a consistent images+layers snapshot. Writers take storage.lock (flock) and re-read inside it.
//
// Lock order: a per-layer lock (locks/layer-<id>.lock, held while one process extracts that layer)
// may be held while taking storage.lock; storage.lock is never held while waiting for a layer lock.
//
// Crash safety: a layer is extracted into tmp/<pid>-<starttime>-<rand>/ and renamed into
// layers/<id> under storage.lock just before store.json names it. So after a kill -9 at any point,
// leftovers are (a) tmp dirs whose owner process is gone and (b) layer dirs no record names; both
// are removed by the next writer (purgeLeftovers), and nothing half-made is ever in store.json.
import { promises as fsp, readFileSync, openSync, fstatSync, closeSync, rmSync, readdirSync, unlinkSync, rmdirSync, renameSync, mkdirSync, lstatSync, statSync, type Dirent } from 'node:fs';
import { fastSpawn } from '../util/spawn.js';
import * as path from 'node:path';
import { randomBytes } from '../util/random.js';
import { FileLock } from '../util/lock.js';
import { atomicWriteFileSync, jsonText, readJsonIfExists, mkdirp, mkdirSpread } from '../util/fsutil.js';
import { byteCompare } from '../util/human.js';
import { TsmanError, errnoCode } from '../errors.js';
import type { Driver } from './driver.js';
import {
  ShapeError, checkImageConfig, expectArray, expectObject, field, optInteger, optString, optStringArray, parseJson,
  reqInteger, reqString, reqStringArray, MAX_CONFIG_SIZE,
} from '../image/validate.js';
import type { VolumeRecord } from '../engine/volumes.js';

export interface LayerRecord {
  /** chain id hex: sha256 over the parent's chain id and this diff id */
  id: string;
  parent?: string;
  diffDigest: string;
  compressedDigest?: string;
  compressedSize?: number;
  /** uncompressed tar size */
  size: number;
  created: string;
}

export interface ImageRecord {
  /** config digest hex */
  id: string;
  /** repo:tag names, fully qualified, most recent first */
  names: string[];
  /** manifest digests this image was pulled by (the platform manifest, and the list's) */
  digests: string[];
  /** the digest podman shows: the one it was pulled by */
  digest: string;
  /** layer chain ids, bottom first */
  layers: string[];
  created: string;
  pulled: string;
  /** sum of the layers' uncompressed sizes */
  size: number;
  manifestMediaType: string;
  /** names this image lost to a newer pull (podman shows such images as <none>) */
  namesHistory?: string[];
}

export interface StoreState {
  version: 1;
  driver: string;
  images: ImageRecord[];
  layers: LayerRecord[];
  containers?: import('../engine/containers/types.js').ContainerRecord[];
  volumes?: VolumeRecord[];
}

/** Image, layer and container ids: they name directories, so nothing else may pass for one. */
export const ID_RE = /^[a-f0-9]{64}$/;
/**
 * Image ids that tsman before 0.1 recorded for a config digested with sha384/sha512 (the
 * digest, algorithm and all). Still accepted so that such images can be found and removed.
 */
const LEGACY_IMAGE_ID_RE = /^sha(?:384|512):[a-f0-9]{96,128}$/;

export function isImageId(s: unknown): s is string {
  return typeof s === 'string' && (ID_RE.test(s) || LEGACY_IMAGE_ID_RE.test(s));
}

function checkId(v: unknown, at: string, legacy = false): void {
  if (typeof v !== 'string') throw new ShapeError(at, `expected an id, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  if (!(legacy ? isImageId(v) : ID_RE.test(v))) throw new ShapeError(at, `not an id: ${JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}...` : v)}`);
}

/**
 * The shape of store.json as read back from disk: whatever is used as a path (ids) must be an id,
 * whatever the code walks must be there with its type. Hand-edited, truncated or foreign files
 * are refused here, naming the file, instead of failing later as a TypeError or naming paths
 * outside the store. Container and volume records are checked as far as the store itself
 * relies on them; their owners read the rest.
 */
export function checkStoreState(doc: unknown): StoreState {
  const st = expectObject(doc, '');
  if (st.version !== 1) throw new ShapeError('version', st.version === undefined ? 'missing' : `unsupported version ${JSON.stringify(st.version)}`);
  reqString(st, 'driver', '');
  const images = expectArray(st.images, 'images');
  for (let i = 0; i < images.length; i++) {
    const at = `images[${i}]`;
    const im = expectObject(images[i], at);
    checkId(im.id, field(at, 'id'), true);
    reqStringArray(im, 'names', at);
    reqStringArray(im, 'digests', at);
    reqString(im, 'digest', at);
    const ls = expectArray(im.layers, field(at, 'layers'));
    for (let j = 0; j < ls.length; j++) checkId(ls[j], `${field(at, 'layers')}[${j}]`);
    reqString(im, 'created', at);
    reqString(im, 'pulled', at);
    reqInteger(im, 'size', at, 0);
    reqString(im, 'manifestMediaType', at);
    optStringArray(im, 'namesHistory', at);
  }
  const layers = expectArray(st.layers, 'layers');
  for (let i = 0; i < layers.length; i++) {
    const at = `layers[${i}]`;
    const l = expectObject(layers[i], at);
    checkId(l.id, field(at, 'id'));
    if (l.parent !== undefined) checkId(l.parent, field(at, 'parent'));
    reqString(l, 'diffDigest', at);
    optString(l, 'compressedDigest', at);
    optInteger(l, 'compressedSize', at, 0);
    reqInteger(l, 'size', at, 0);
    reqString(l, 'created', at);
  }
  if (st.containers !== undefined) {
    const cs = expectArray(st.containers, 'containers');
    for (let i = 0; i < cs.length; i++) checkContainerRecord(cs[i], `containers[${i}]`);
  }
  if (st.volumes !== undefined) {
    const vs = expectArray(st.volumes, 'volumes');
    for (let i = 0; i < vs.length; i++) {
      const at = `volumes[${i}]`;
      const v = expectObject(vs[i], at);
      const name = reqString(v, 'name', at);
      // a volume's name is a directory under volume_path (VOLUME_NAME_RE in engine/volumes.ts)
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new ShapeError(field(at, 'name'), `not a volume name: ${JSON.stringify(name)}`);
      reqString(v, 'mountpoint', at);
    }
  }
  return st as unknown as StoreState;
}

/** What the store itself reads of a container record: its id (a directory name) and config. */
function checkContainerRecord(v: unknown, at: string): void {
  const c = expectObject(v, at);
  checkId(c.id, field(at, 'id'));
  reqString(c, 'name', at);
  reqString(c, 'imageId', at);
  reqString(c, 'created', at);
  expectObject(c.config, field(at, 'config'));
}

/** Whether a record of volatile-containers.json can stand next to store.json's. */
function isContainerRecord(v: unknown): boolean {
  try {
    checkContainerRecord(v, '');
    return true;
  } catch {
    return false;
  }
}

export class Store {
  readonly dir: string;
  readonly runDir: string;
  readonly lock: FileLock;

  private constructor(readonly graphRoot: string, readonly runRoot: string, readonly driver: Driver) {
    this.dir = path.join(graphRoot, 'tsman');
    this.runDir = path.join(runRoot, 'tsman');
    this.lock = new FileLock(path.join(this.dir, 'storage.lock'));
  }

  static async open(graphRoot: string, runRoot: string, driver: Driver): Promise<Store> {
    const s = new Store(graphRoot, runRoot, driver);
    return s;
  }

  get stateFile(): string { return path.join(this.dir, 'store.json'); }
  layerDir(id: string): string { return path.join(this.dir, 'layers', id); }
  diffDir(id: string): string { return path.join(this.dir, 'layers', id, 'diff'); }
  imageDir(id: string): string { return path.join(this.dir, 'images', id); }
  /** held while one process extracts that layer; removed by its holder when done (pull.ts) */
  layerLockFile(id: string): string { return path.join(this.dir, 'locks', `layer-${id}.lock`); }

  /**
   * `run --rm` containers' records, apart (containers/storage's volatile-containers.json): written
   * without fsync, as podman writes them. They are gone when the container ends, so a power loss
   * can only lose records that were about to go; store.json, which holds everything else, is not
   * rewritten (nor fsynced) for them. A damaged file reads as no such containers.
   */
  get volatileFile(): string { return path.join(this.dir, 'volatile-containers.json'); }

  /** A lock-free consistent snapshot (store.json is replaced atomically). */
  read(): StoreState {
    return this.readFiles().state;
  }

  private readFiles(): { state: StoreState; text?: string; volatileText?: string } {
    let text: string | undefined;
    try {
      text = readFileSync(this.stateFile, 'utf8');
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw new TsmanError('ESTORAGE', `reading ${this.stateFile}: ${(err as Error).message}`);
    }
    let state: StoreState;
    if (text === undefined) {
      state = { version: 1, driver: this.driver.name, images: [], layers: [] };
    } else {
      try {
        state = checkStoreState(parseJson(text));
      } catch (err) {
        if (!(err instanceof ShapeError)) throw err;
        throw new TsmanError('ESTORAGE', `${this.stateFile} is corrupt: ${err.message}`, { hint: 'tsman system reset' });
      }
      if (state.driver !== this.driver.name && (state.images.length > 0 || state.layers.length > 0)) {
        throw new TsmanError('ESTORAGE',
          `database storage driver "${this.driver.name}" does not match our storage driver "${state.driver}" in ${this.graphRoot}`,
          { hint: 'pass --storage-driver ' + state.driver + ' or run `tsman system reset` to start over' });
      }
    }
    let volatileText: string | undefined;
    if (statSync(this.volatileFile, { throwIfNoEntry: false })) {
      try { volatileText = readFileSync(this.volatileFile, 'utf8'); } catch { /* gone meanwhile */ }
    }
    if (volatileText !== undefined) {
      let vol: { containers?: unknown } | undefined;
      try { vol = JSON.parse(volatileText) as { containers?: unknown }; } catch { /* damaged: none */ }
      if (vol && Array.isArray(vol.containers) && vol.containers.length > 0) {
        const own = state.containers ?? [];
        const ids = new Set(own.map((c) => c.id));
        const extra = (vol.containers as NonNullable<StoreState['containers']>).filter((c) => isContainerRecord(c) && !ids.has(c.id));
        // one list in creation order, as a single file kept it
        state.containers = [...own, ...extra].sort((a, b) => byteCompare(a.created, b.created));
      }
    }
    return { state, text, volatileText };
  }

  /**
   * Run `fn` under the store lock with a fresh state; persist it if fn returns true: store.json
   * (fsynced) and the volatile file (not), each only when its part changed.
   */
  async update<T>(fn: (state: StoreState) => Promise<{ save: boolean; value: T }> | { save: boolean; value: T }): Promise<T> {
    mkdirSpread(this.dir);
    return this.lock.with(async () => {
      const { state, text, volatileText } = this.readFiles();
      state.driver = this.driver.name;
      const { save, value } = await fn(state);
      if (save) {
        const all = state.containers ?? [];
        const durable: StoreState = { ...state, containers: all.filter((c) => !c.config.autoRemove) };
        const volatile = all.filter((c) => c.config.autoRemove);
        const durableText = jsonText(durable);
        if (durableText !== text) atomicWriteFileSync(this.stateFile, durableText, 0o600);
        const volText = jsonText({ containers: volatile });
        if (volText !== volatileText && (volatile.length > 0 || volatileText !== undefined)) {
          atomicWriteFileSync(this.volatileFile, volText, 0o600, { durable: false });
        }
      }
      return value;
    });
  }

  /** A private scratch dir for one operation of this process; purged after a crash. */
  async makeTmpDir(): Promise<string> {
    const start = processStartTime(process.pid) ?? '0';
    const d = path.join(this.dir, 'tmp', `${process.pid}-${start}-${randomBytes(4).toString('hex')}`);
    await mkdirp(d);
    return d;
  }

  /** Under the store lock: remove tmp dirs of dead processes and layer dirs no record names. */
  async purgeLeftovers(state: StoreState): Promise<void> {
    const tmp = path.join(this.dir, 'tmp');
    for (const name of await listDir(tmp)) {
      const m = /^(\d+)-(\d+)-/.exec(name);
      if (m && processStartTime(Number(m[1])) === m[2]) continue;
      await removeTree(path.join(tmp, name));
    }
    const known = new Set(state.layers.map((l) => l.id));
    for (const name of await listDir(path.join(this.dir, 'layers'))) {
      if (!known.has(name)) await removeTree(path.join(this.dir, 'layers', name));
    }
    const images = new Set(state.images.map((i) => i.id));
    for (const name of await listDir(path.join(this.dir, 'images'))) {
      if (!images.has(name)) await removeTree(path.join(this.dir, 'images', name));
    }
    this.purgeLayerLocks();
  }

  /**
   * Layer lock files whose holder was killed before it removed them: each is taken without
   * waiting (storage.lock is held: lock order) and removed while held, as the protocol requires;
   * one in use is left to its holder.
   */
  private purgeLayerLocks(): void {
    let names: string[];
    try { names = readdirSync(path.join(this.dir, 'locks')); } catch { return; }
    for (const name of names) {
      const m = /^layer-([0-9a-f]+)\.lock$/.exec(name);
      if (!m) continue;
      const lock = new FileLock(this.layerLockFile(m[1]!), { missingDir: () => { throw new Error('gone'); } });
      try {
        if (lock.tryLock()) lock.remove();
      } catch { /* gone meanwhile */ }
    }
  }

  /**
   * One of an image's files; undefined when missing. A file above the size a pull accepts for
   * it is refused unread (`images` reads every config).
   */
  async readImageFile(id: string, name: 'manifest' | 'config' | 'list'): Promise<Buffer | undefined> {
    if (!isImageId(id)) throw new TsmanError('ESTORAGE', `not an image id: ${JSON.stringify(id)}`);
    const file = path.join(this.imageDir(id), name);
    let fd: number;
    try {
      // synchronous: small, and on the path of every `run` (fs/promises and a thread-pool trip)
      fd = openSync(file, 'r');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const size = fstatSync(fd).size;
      if (size > MAX_CONFIG_SIZE) throw new TsmanError('ESTORAGE', `${file} is corrupt: ${size} bytes exceeded maximum allowed size of ${MAX_CONFIG_SIZE} bytes`, { hint: `tsman rmi ${id.slice(0, 12)}` });
      return readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * An image's config, checked as a pull checks it (a few microseconds for a normal config):
   * a damaged file, or one stored by an older tsman that did not check, is an error naming it.
   */
  async readConfig<T = import('../image/mediatypes.js').ImageConfig>(id: string): Promise<T> {
    const buf = await this.readImageFile(id, 'config');
    if (!buf) throw new TsmanError('ESTORAGE', `image ${id}: config is missing from the store`);
    try {
      return checkImageConfig(parseJson(buf)) as T;
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      throw new TsmanError('ESTORAGE', `${path.join(this.imageDir(id), 'config')} is corrupt: ${err.message}`, { hint: `tsman rmi ${id.slice(0, 12)}` });
    }
  }
}

export async function listDir(d: string): Promise<string[]> {
  try {
    return await fsp.readdir(d);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Depth-first unlink by directory entry types: no lstat per entry (Node's rmSync does one), and
 * synchronous (a container's tree is small; each asynchronous step is a thread-pool round trip).
 */
function removeTreeFast(p: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(p, { withFileTypes: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') { unlinkSync(p); return; }
    throw err;
  }
  for (const e of entries) {
    const c = path.join(p, e.name);
    if (e.isDirectory()) removeTreeFast(c);
    else unlinkSync(c);
  }
  rmdirSync(p);
}

/** How long a tree may sit in a trash directory before the next discard sweeps it too. */
const STALE_TRASH_MS = 30_000;

/**
 * Remove directory trees without waiting for it: each is renamed into `trash` (a directory on the
 * same file system, created if needed) and one detached `rm -rf` removes them all while tsman goes
 * on and exits (a `run --rm` returns without the ~3-5 ms its container's files take to unlink,
 * much as podman leaves part of its cleanup to a `container cleanup` process). What rm never got
 * to (killed, a crash) is swept by a later discard into the same trash. A tree that cannot be
 * moved, or no rm to start, is removed here and now.
 */
export function discardTrees(trees: Array<{ path: string; trash: string }>): void {
  const moved: string[] = [];
  const now = Date.now();
  for (const t of trees) {
    try {
      mkdirSync(t.trash, { recursive: true, mode: 0o700 });
      const dest = path.join(t.trash, `${path.basename(t.path)}-${randomBytes(4).toString('hex')}`);
      renameSync(t.path, dest);
      moved.push(dest);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue;
      removeTreeSync(t.path);
    }
  }
  if (moved.length === 0) return;
  for (const trash of new Set(trees.map((t) => t.trash))) {
    let names: string[] = [];
    try { names = readdirSync(trash); } catch { /* none */ }
    for (const n of names) {
      const p = path.join(trash, n);
      if (moved.includes(p)) continue;
      try { if (now - lstatSync(p).ctimeMs > STALE_TRASH_MS) moved.push(p); } catch { /* gone meanwhile */ }
    }
  }
  try {
    const rm = rmPath();
    fastSpawn(rm, [rm, '-rf', '--', ...moved], { fds: ['null', 'null', 'null'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, setsid: true });
  } catch {
    for (const p of moved) removeTreeSync(p);
  }
}

let rmBinary: string | undefined;
function rmPath(): string {
  return rmBinary ??= ['/usr/bin/rm', '/bin/rm'].find((p) => { try { return lstatSync(p).isFile(); } catch { return false; } }) ?? 'rm';
}

/** removeTree for small trees that need no permission repair (run-root state). */
export function removeTreeSync(p: string): void {
  try {
    removeTreeFast(p);
  } catch {
    rmSync(p, { recursive: true, force: true, maxRetries: 2 });
  }
}

/** rm -rf that also copes with read-only directories left by an image (chmod u+w on the way). */
export async function removeTree(p: string): Promise<void> {
  try {
    removeTreeSync(p);
  } catch (err) {
    if (errnoCode(err) !== 'EACCES' && errnoCode(err) !== 'EPERM') throw err;
    await makeWritable(p);
    await fsp.rm(p, { recursive: true, force: true });
  }
}

async function makeWritable(p: string): Promise<void> {
  let st;
  try { st = await fsp.lstat(p); } catch { return; }
  if (!st.isDirectory()) return;
  await fsp.chmod(p, (st.mode & 0o7777) | 0o700).catch(() => undefined);
  for (const n of await listDir(p)) await makeWritable(path.join(p, n));
}

/** Field 22 of /proc/<pid>/stat: lets a stored pid be told apart from a reused one. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z') return undefined;
    return rest[19];
  } catch {
    return undefined;
  }
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  return readJsonIfExists<T>(file);
}
