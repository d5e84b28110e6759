// Named volumes (podman's "local" driver). Records live in store.json (state.volumes, changed only
// under store.update like containers); data in <engine.volume_path>/<name>/_data, where
// volume_path defaults to <graphroot>/tsman/volumes (src/config/index.ts).
//
// Removal renames the volume directory into the store's tmp dir while the lock is held, then
// deletes it outside the lock: a crash leaves a tmp dir (purged by the next writer), never a
// half-deleted volume a new volume of the same name would inherit.
//
// podman 4.3.1 is the reference: messages, option handling (`-o o=uid=..`), filters (every value
// of every filter is OR'ed there), inspect's JSON shape (no LockNumber yet).
import { promises as fsp, statSync } from 'node:fs';
import { childProcess } from '../util/builtin.js';
import * as path from 'node:path';
import { randomBytes } from '../util/random.js';
import type { Readable, Writable } from 'node:stream';
import type { Engine } from './index.js';
import type { StoreState } from '../storage/store.js';
import { removeTree } from '../storage/store.js';
import { TsmanError, errnoCode } from '../errors.js';
import { goMap } from '../format/values.js';
import { groupFilters, matchLabels, parseUntil } from '../util/filters.js';
import { isMountPoint } from './imagemount.js';

export interface VolumeRecord {
  name: string;
  driver: string;
  /** <volume_path>/<name>/_data, fixed at creation (podman keeps it in the volume's config too) */
  mountpoint: string;
  /** RFC 3339 with nanoseconds, UTC */
  created: string;
  labels: Record<string, string>;
  /** podman's option map: `-o key=value` as given, plus UID/GID/SIZE/INODES/NOQUOTA taken out of `o=` */
  options: Record<string, string>;
  /** created for one container (image VOLUME, `-v /path`): `rm -v` removes it */
  anonymous: boolean;
  uid?: number;
  gid?: number;
  /** the next container mount copies the image's content in (cleared by markCopiedUp) */
  needsCopyUp: boolean;
  /** the next container mount chowns the volume to the container's user (cleared by markChowned);
   *  false from the start when `o=uid=`/`o=gid=` was given */
  needsChown?: boolean;
}

export interface CreateVolumeOptions {
  /** random 64-hex (as podman) when absent */
  name?: string;
  driver?: string;
  /** `-o key=value` */
  options: string[];
  /** `--label key[=value]` */
  labels: string[];
  anonymous?: boolean;
  /** return the existing volume instead of failing (podman's `volume create --ignore`) */
  ignoreIfExists?: boolean;
}

export const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

// ---- lookup ----------------------------------------------------------------------------------

export function noSuchVolume(name: string, exitCode = 125): TsmanError {
  return new TsmanError('ENOTFOUND', `no volume with name "${name}" found: no such volume`, { exitCode });
}

/** Exact name, else a unique name prefix (libpod's LookupVolume); ambiguous prefixes are an error. */
export function findVolume(state: StoreState, q: string): VolumeRecord | undefined {
  const vols = state.volumes ?? [];
  const exact = vols.find((v) => v.name === q);
  if (exact || q === '') return exact;
  const hits = vols.filter((v) => v.name.startsWith(q));
  if (hits.length > 1) throw new TsmanError('EUSAGE', `more than one result for volume name "${q}": volume already exists`);
  return hits[0];
}

/** The volume named exactly `name` (what container mounts record); throws if it is gone. */
export function getVolume(engine: Engine, name: string): VolumeRecord {
  const v = (engine.store.read().volumes ?? []).find((x) => x.name === name);
  if (!v) throw noSuchVolume(name);
  return v;
}

/** For the CLI: exact name or unique prefix; undefined when none. */
export function lookupVolume(engine: Engine, q: string): VolumeRecord | undefined {
  return findVolume(engine.store.read(), q);
}

export function volumeExists(engine: Engine, name: string): boolean {
  return (engine.store.read().volumes ?? []).some((v) => v.name === name);
}

export function volumeMountpoint(engine: Engine, name: string): string {
  return getVolume(engine, name).mountpoint;
}

/** Ids of the containers whose mounts name this volume. */
export function volumeUsers(state: StoreState, name: string): string[] {
  return (state.containers ?? [])
    .filter((c) => (c.config.mounts ?? []).some((m) => m.type === 'volume' && m.source === name))
    .map((c) => c.id);
}

function volumeDir(engine: Engine, name: string): string {
  return path.join(engine.config.engine.volume_path, name);
}

// ---- create ----------------------------------------------------------------------------------

/** key=value lists as podman's label parser reads them: first `=` splits, a bare key is "". */
function parseKeyValues(list: string[], what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list) {
    if (item === '') continue;
    const i = item.indexOf('=');
    const key = i < 0 ? item : item.slice(0, i);
    if (key === '') throw new TsmanError('EUSAGE', `unable to process ${what}: invalid label format: "${item}"`);
    out.set(key, i < 0 ? '' : item.slice(i + 1));
  }
  return out;
}

/** go-units FromHumanSize: decimal (k = 1000) units, optional trailing b. */
function fromHumanSize(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([kmgtp]?)(i?b?)$/i.exec(s.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 }[m[2]!.toLowerCase() as '' | 'k'];
  return Math.trunc(Number(m[1]) * mult);
}

interface ParsedOptions {
  options: Record<string, string>;
  uid?: number;
  gid?: number;
  sizeOrInodes: boolean;
}

/** parse.VolumeOptions: `o=` loses noquota/timeout and lends uid, gid, size and inodes their own keys. */
function parseVolumeOptions(raw: Map<string, string>): ParsedOptions {
  const options: Record<string, string> = {};
  const r: ParsedOptions = { options, sizeOrInodes: false };
  for (const [key, value] of raw) {
    if (key !== 'o') { options[key] = value; continue; }
    const finalVal: string[] = [];
    for (const o of value.split(',')) {
      const eq = o.indexOf('=');
      const k = (eq < 0 ? o : o.slice(0, eq)).toLowerCase();
      const v = eq < 0 ? undefined : o.slice(eq + 1);
      switch (k) {
        case 'size':
          if (v === undefined || fromHumanSize(v) === undefined) throw new TsmanError('EUSAGE', `cannot convert size ${v ?? ''} to integer: invalid size: '${v ?? ''}'`);
          r.sizeOrInodes = true;
          options.SIZE = v;
          finalVal.push(o);
          break;
        case 'inodes':
          if (v === undefined || !/^\d+$/.test(v)) throw new TsmanError('EUSAGE', `cannot convert inodes ${v ?? ''} to integer: strconv.ParseUint: parsing "${v ?? ''}": invalid syntax`);
          r.sizeOrInodes = true;
          options.INODES = v;
          finalVal.push(o);
          break;
        case 'uid':
        case 'gid': {
          const up = k.toUpperCase();
          if (v === undefined) throw new TsmanError('EUSAGE', `${k} option must provide a ${up}: invalid argument`);
          if (!/^[+-]?\d+$/.test(v)) throw new TsmanError('EUSAGE', `cannot convert ${up} ${v} to integer: strconv.Atoi: parsing "${v}": invalid syntax`);
          if (k === 'uid') r.uid = Number(v); else r.gid = Number(v);
          options[up] = v;
          finalVal.push(o);
          break;
        }
        case 'noquota':
          options.NOQUOTA = 'true';
          break;
        case 'timeout':
          break;
        default:
          finalVal.push(o);
      }
    }
    if (finalVal.length > 0) options.o = finalVal.join(',');
  }
  return r;
}

const LOCAL_KEYS = new Set(['o', 'type', 'uid', 'gid', 'size', 'inodes', 'noquota', 'copy', 'nocopy']);

function validateLocalOptions(options: Record<string, string>): void {
  for (const [key, val] of Object.entries(options)) {
    const k = key.toLowerCase();
    if (k === 'device') {
      if ((options.type ?? '').toLowerCase() === 'bind') {
        try { statSync(val); } catch (err) {
          throw new TsmanError('EUSAGE', `invalid volume option device for driver 'local': stat ${val}: ${goErrno(err)}`);
        }
      }
      continue;
    }
    if (!LOCAL_KEYS.has(k)) throw new TsmanError('EUSAGE', `invalid mount option ${key} for driver 'local': invalid argument`);
  }
}

/** RFC 3339 with nanoseconds (trailing zeros dropped, as Go marshals time.Time), UTC. */
function nowNano(): string {
  const iso = new Date().toISOString(); // ...SS.mmmZ
  const sub = (process.hrtime.bigint() % 1_000_000n).toString().padStart(6, '0');
  const frac = `${iso.slice(20, 23)}${sub}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

export async function createVolume(engine: Engine, o: CreateVolumeOptions): Promise<VolumeRecord> {
  const name = o.name || randomBytes(32).toString('hex');
  if (!VOLUME_NAME_RE.test(name)) {
    throw new TsmanError('EUSAGE', 'running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument');
  }
  const driver = o.driver || 'local';
  const labels = Object.fromEntries(parseKeyValues(o.labels, 'labels'));
  const parsed = parseVolumeOptions(parseKeyValues(o.options, 'options'));
  if (driver !== 'local') {
    throw new TsmanError('EUNSUPPORTED',
      `volume ${name} uses volume plugin ${driver} but it could not be retrieved: no volume plugin with name ${driver} available: required plugin missing`);
  }
  validateLocalOptions(parsed.options);
  // tmpfs takes size= itself; anything else would need project quota, which tsman does not set up
  if (parsed.sizeOrInodes && (parsed.options.type ?? '').toLowerCase() !== 'tmpfs') {
    throw new TsmanError('EUNSUPPORTED', 'volume options size and inodes not supported. Filesystem does not support Project Quota');
  }
  const dir = volumeDir(engine, name);
  const rec: VolumeRecord = {
    name, driver, mountpoint: path.join(dir, '_data'), created: nowNano(), labels, options: parsed.options,
    anonymous: o.anonymous ?? false, needsCopyUp: true, needsChown: parsed.uid === undefined && parsed.gid === undefined,
  };
  if (parsed.uid !== undefined) rec.uid = parsed.uid;
  if (parsed.gid !== undefined) rec.gid = parsed.gid;
  return engine.store.update(async (state) => {
    const existing = (state.volumes ?? []).find((v) => v.name === name);
    if (existing) {
      if (o.ignoreIfExists) return { save: false, value: existing };
      throw new TsmanError('EEXISTS', `volume with name ${name} already exists: volume already exists`);
    }
    // a directory without a record (a crash between mkdir and save) is reused, as podman does
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    await fsp.mkdir(rec.mountpoint, { recursive: true, mode: 0o755 });
    if (rec.uid !== undefined || rec.gid !== undefined) {
      for (const p of [dir, rec.mountpoint]) await fsp.chown(p, rec.uid ?? 0, rec.gid ?? 0);
    }
    (state.volumes ??= []).push(rec);
    return { save: true, value: rec };
  });
}

async function setFlag(engine: Engine, name: string, fn: (v: VolumeRecord) => boolean): Promise<void> {
  await engine.store.update((state) => {
    const v = (state.volumes ?? []).find((x) => x.name === name);
    return { save: v ? fn(v) : false, value: undefined };
  });
}

/** The first container mount copied the image's content in: never again. */
export function markCopiedUp(engine: Engine, name: string): Promise<void> {
  return setFlag(engine, name, (v) => { const was = v.needsCopyUp; v.needsCopyUp = false; return was; });
}

/** The first container mount chowned the volume to the container's user: never again. */
export function markChowned(engine: Engine, name: string): Promise<void> {
  return setFlag(engine, name, (v) => { const was = v.needsChown === true; v.needsChown = false; return was; });
}

/**
 * A volume whose options say how to mount it (`-o type=tmpfs -o device=tmpfs -o o=size=10m`, or
 * `type=bind,device=/path`) is mounted afresh at every container start instead of bind-mounting
 * _data: this is the spec mount for it (undefined for an ordinary volume). podman runs
 * `mount -t TYPE -o O DEVICE` on the host; tsman hands the same to the runtime.
 */
export function volumeMountOptions(rec: VolumeRecord): { type: string; source: string; options: string[] } | undefined {
  const type = rec.options.type ?? '';
  const device = rec.options.device ?? '';
  // no type: podman lets mount(8) probe the device; tsman mounts only what it can name
  if (type === '') return undefined;
  const isTmpfs = type.toLowerCase() === 'tmpfs';
  const opts = (rec.options.o ?? '').split(',').filter((x) => x !== '')
    .map((x) => (isTmpfs && /^inodes=/i.test(x) ? `nr_inodes=${x.slice(7)}` : x));
  if (type.toLowerCase() === 'bind') return { type: 'bind', source: device, options: ['bind', ...opts] };
  return { type, source: device || type, options: opts };
}

// ---- filters ---------------------------------------------------------------------------------

// podman 4.3.1 prunes with the same filters as it lists (label! and since/after came later)
const VOLUME_FILTERS = ['name', 'driver', 'scope', 'label', 'opt', 'until', 'dangling'];

type VolumeFilter = (v: VolumeRecord) => boolean;

function createdMs(v: VolumeRecord): number {
  return Date.parse(v.created);
}

function buildFilters(state: StoreState, list: string[], allowed: string[]): VolumeFilter[] {
  const byKey = groupFilters(list);
  const out: VolumeFilter[] = [];
  for (const [key, values] of byKey) {
    if (!allowed.includes(key)) throw new TsmanError('EUSAGE', `"${key}" is an invalid volume filter`);
    for (const val of values) {
      switch (key) {
        case 'name':
          out.push((v) => { try { return new RegExp(val).test(v.name); } catch { return false; } });
          break;
        case 'driver':
          out.push((v) => v.driver === val);
          break;
        case 'scope':
          out.push(() => val === 'local');
          break;
        case 'label':
          out.push((v) => matchLabels([val], v.labels));
          break;
        case 'opt':
          out.push((v) => matchLabels([val], v.options));
          break;
        case 'until': {
          const until = parseUntil(val);
          out.push((v) => createdMs(v) < until);
          break;
        }
        case 'dangling': {
          const lc = val.toLowerCase();
          if (!['true', '1', 'false', '0'].includes(lc)) {
            throw new TsmanError('EUSAGE', `"${val}" is not a valid value for the "dangling" filter - must be true or false`);
          }
          const want = lc === 'true' || lc === '1';
          out.push((v) => (volumeUsers(state, v.name).length === 0) === want);
          break;
        }
      }
    }
  }
  return out;
}

/** podman 4.3.1 keeps a volume when ANY filter matches (values and keys alike are OR'ed). */
function applyFilters(vols: VolumeRecord[], filters: VolumeFilter[]): VolumeRecord[] {
  if (filters.length === 0) return vols;
  return vols.filter((v) => filters.some((f) => f(v)));
}

function sortByName(vols: VolumeRecord[]): VolumeRecord[] {
  return [...vols].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `volume ls` filters: name (regexp), driver, scope, label, opt, until, dangling. */
export function listVolumes(engine: Engine, filters: string[]): VolumeRecord[] {
  const state = engine.store.read();
  return sortByName(applyFilters(state.volumes ?? [], buildFilters(state, filters, VOLUME_FILTERS)));
}

// ---- remove / prune --------------------------------------------------------------------------

async function parkForRemoval(engine: Engine, name: string): Promise<string | undefined> {
  const dir = volumeDir(engine, name);
  try {
    await fsp.lstat(dir);
  } catch {
    return undefined;
  }
  const tmp = await engine.store.makeTmpDir();
  const parked = path.join(tmp, 'volume');
  try {
    await fsp.rename(dir, parked);
    return tmp;
  } catch (err) {
    await removeTree(tmp);
    if (errnoCode(err) !== 'EXDEV') throw err;
    // volume_path on another filesystem: delete in place
    return dir;
  }
}

export interface RemoveVolumeOptions {
  /** remove the containers using it first (podman's `volume rm -f`) */
  force: boolean;
  /** seconds to wait for those containers to stop (volume rm -t) */
  timeout?: number;
}

/** Remove one volume (exact name or unique prefix); returns its name. */
export async function removeVolume(engine: Engine, q: string, o: RemoveVolumeOptions): Promise<string> {
  const rec = findVolume(engine.store.read(), q);
  if (!rec) throw noSuchVolume(q, 1);
  const users = volumeUsers(engine.store.read(), rec.name);
  if (users.length > 0) {
    if (!o.force) throw inUse(rec.name, users);
    const { removeContainer } = await import('./containers/lifecycle.js');
    const ctrs = engine.store.read().containers ?? [];
    for (const id of users) {
      // without -t a running container gets its own stop timeout, as podman's `volume rm -f`
      const timeout = o.timeout ?? ctrs.find((c) => c.id === id)?.config.stopTimeout;
      await removeContainer(engine, id, { force: true, volumes: false, ignore: true, timeout });
    }
  }
  const doomed = await engine.store.update(async (state) => {
    const i = (state.volumes ?? []).findIndex((v) => v.name === rec.name);
    if (i < 0) throw noSuchVolume(q, 1);
    const now = volumeUsers(state, rec.name);
    if (now.length > 0) throw inUse(rec.name, now);
    const parked = await parkForRemoval(engine, rec.name);
    state.volumes!.splice(i, 1);
    return { save: true, value: parked };
  });
  if (doomed) await removeTree(doomed);
  return rec.name;
}

function inUse(name: string, ids: string[]): TsmanError {
  return new TsmanError('EINUSE', `volume ${name} is being used by the following container(s): ${ids.join(', ')}: volume is being used`, { exitCode: 2 });
}

/** Remove every volume no container uses that matches a filter (any `volume ls` filter); returns their names. */
export async function pruneVolumes(engine: Engine, filters: string[]): Promise<string[]> {
  buildFilters(engine.store.read(), filters, VOLUME_FILTERS); // bad filters fail before the lock
  const { names, doomed } = await engine.store.update(async (state) => {
    const fs = buildFilters(state, filters, VOLUME_FILTERS);
    const unused = sortByName((state.volumes ?? []).filter((v) => volumeUsers(state, v.name).length === 0));
    const victims = applyFilters(unused, fs);
    const parked: string[] = [];
    for (const v of victims) {
      const p = await parkForRemoval(engine, v.name);
      if (p) parked.push(p);
    }
    const gone = new Set(victims.map((v) => v.name));
    state.volumes = (state.volumes ?? []).filter((v) => !gone.has(v.name));
    return { save: victims.length > 0, value: { names: victims.map((v) => v.name), doomed: parked } };
  });
  for (const d of doomed) await removeTree(d);
  return names;
}

// ---- reports ---------------------------------------------------------------------------------

/** A time.Time in templates (Go's String()) and JSON (RFC 3339 with nanoseconds, local zone). */
export class GoTime {
  constructor(readonly iso: string) {}
  private parts(): { d: Date; frac: string; off: number } {
    const d = new Date(this.iso);
    const frac = (/\.(\d+)/.exec(this.iso)?.[1] ?? '').replace(/0+$/, '');
    return { d, frac, off: -d.getTimezoneOffset() };
  }
  private local(sep: string): string {
    const { d, frac, off } = this.parts();
    const l = new Date(d.getTime() + off * 60_000);
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${l.getUTCFullYear()}-${p(l.getUTCMonth() + 1)}-${p(l.getUTCDate())}${sep}${p(l.getUTCHours())}:${p(l.getUTCMinutes())}:${p(l.getUTCSeconds())}${frac ? `.${frac}` : ''}`;
  }
  private offset(colon: boolean): string {
    const { off } = this.parts();
    const a = Math.abs(off);
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${off < 0 ? '-' : '+'}${p(Math.floor(a / 60))}${colon ? ':' : ''}${p(a % 60)}`;
  }
  toJSON(): string {
    return `${this.local('T')}${this.parts().off === 0 ? 'Z' : this.offset(true)}`;
  }
  toString(): string {
    const { d, off } = this.parts();
    let zone = '';
    try {
      zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName')?.value ?? '';
    } catch { /* no Intl data */ }
    if (!/^[A-Z]{3,5}$/.test(zone)) zone = off === 0 ? 'UTC' : this.offset(false);
    return `${this.local(' ')} ${this.offset(false)} ${zone}`;
  }
}

/** Every field of podman's InspectVolumeData (4.3.1), for templates. */
export function volumeReport(v: VolumeRecord): Record<string, unknown> {
  return {
    Name: v.name,
    Driver: v.driver,
    Mountpoint: v.mountpoint,
    CreatedAt: new GoTime(v.created),
    Status: goMap({}),
    Labels: goMap({ ...v.labels }),
    Scope: 'local',
    Options: goMap({ ...v.options }),
    UID: v.uid ?? 0,
    GID: v.gid ?? 0,
    Anonymous: v.anonymous,
    MountCount: 0,
    NeedsCopyUp: v.needsCopyUp,
    NeedsChown: v.needsChown ?? false,
    Timeout: 0,
    StorageID: '',
  };
}

/** The same as JSON prints it: omitempty fields left out when zero. */
export function volumeJson(report: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const omitEmpty = new Set(['Status', 'UID', 'GID', 'Anonymous', 'NeedsCopyUp', 'NeedsChown', 'Timeout', 'StorageID']);
  for (const [k, v] of Object.entries(report)) {
    if (omitEmpty.has(k)) {
      if (v === 0 || v === false || v === '') continue;
      if (k === 'Status' && typeof v === 'object' && v && Object.keys(v).length === 0) continue;
    }
    out[k] = v;
  }
  return out;
}

export function inspectVolumes(engine: Engine, names: string[], all: boolean): { found: VolumeRecord[]; errors: TsmanError[] } {
  const state = engine.store.read();
  if (all) return { found: sortByName(state.volumes ?? []), errors: [] };
  const found: VolumeRecord[] = [];
  const errors: TsmanError[] = [];
  for (const n of names) {
    try {
      const v = findVolume(state, n);
      if (v) found.push(v);
      else errors.push(new TsmanError('ENOTFOUND', `inspecting object: no such volume ${n}`));
    } catch (err) {
      errors.push(new TsmanError('EUSAGE', `inspecting volume ${n}: ${(err as Error).message}`));
    }
  }
  return { found, errors };
}

// ---- export / import -------------------------------------------------------------------------

function mustLookup(engine: Engine, q: string): VolumeRecord {
  const v = findVolume(engine.store.read(), q);
  if (!v) throw new TsmanError('ENOTFOUND', `no such volume ${q}`);
  return v;
}

/** Go's error text for the common errnos (podman's messages embed them). */
export function goErrno(err: unknown): string {
  switch (errnoCode(err)) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'not a directory';
    case 'EEXIST': return 'file exists';
    case 'EPERM': return 'operation not permitted';
    case 'EROFS': return 'read-only file system';
    case 'ENOSPC': return 'no space left on device';
    default: return err instanceof Error ? err.message : String(err);
  }
}

/** A tar of the volume's content (no entry for the root, names relative, numeric owners), as podman's. */
export async function exportVolume(engine: Engine, name: string, out: Writable): Promise<void> {
  const v = mustLookup(engine, name);
  const { TreeTarWriter } = await import('../storage/layerdiff.js');
  const tw = new TreeTarWriter(out);
  await tw.addTree(v.mountpoint);
  await tw.finish(out);
}

/** Unpack a tar (plain, gzip or zstd) into the volume, over what is there; entries are confined to the volume. */
export async function importVolume(engine: Engine, name: string, input: Readable, opts: { warn?: (msg: string) => void } = {}): Promise<void> {
  const v = mustLookup(engine, name);
  const { decompressStream } = await import('../storage/decompress.js');
  const { extractTree } = await import('../storage/extract.js');
  const stream = await decompressStream(input);
  await extractTree(stream, v.mountpoint, { rootless: engine.rootless, warn: opts.warn });
}

// ---- volume mount / unmount ------------------------------------------------------------------

/** `volume mount`: the volume's data directory, mounted first when the volume has mount options. */
export async function mountVolume(engine: Engine, name: string): Promise<string> {
  const rec = getVolume(engine, name);
  const m = volumeMountOptions(rec);
  if (m && !isMountPoint(rec.mountpoint)) {
    const args = m.type === 'bind' ? ['--bind', ...(m.options.filter((o) => o !== 'bind').length ? ['-o', m.options.filter((o) => o !== 'bind').join(',')] : []), m.source, rec.mountpoint]
      : ['-t', m.type, ...(m.options.length ? ['-o', m.options.join(',')] : []), m.source, rec.mountpoint];
    const r = childProcess().spawnSync('mount', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new TsmanError('EGENERIC', `mounting volume ${rec.name}: ${(r.stderr || r.error?.message || '').trim()}`);
  }
  return rec.mountpoint;
}

/** `volume unmount`: undo what mountVolume mounted; a plain volume has nothing to unmount. */
export async function unmountVolume(engine: Engine, name: string): Promise<string> {
  const rec = getVolume(engine, name);
  if (volumeMountOptions(rec) && isMountPoint(rec.mountpoint)) {
    const { umount2 } = await import('../util/libc.js');
    umount2(rec.mountpoint);
  }
  return rec.name;
}
