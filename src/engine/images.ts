// Image verbs of the engine facade.
import * as path from 'node:path';
import { existsSync, promises as fsp } from 'node:fs';
import type { Engine } from './index.js';
import type { ImageRecord, StoreState } from '../storage/store.js';
import { removeTree } from '../storage/store.js';
import { TsmanError, wrapError } from '../errors.js';
import { findImage, mustFindImage, splitName } from './lookup.js';
import { parseReference, refString, isShortName, normalize } from '../image/reference.js';
// pull.js (HTTP, TLS, decompressors: ~5 ms to load) is imported when an image is pulled
import type { PullSource } from '../image/pull.js';
import type { Progress } from '../image/progress.js';
import type { ResolvedName } from '../image/shortnames.js';
import type { ImageConfig } from '../image/mediatypes.js';
import { hostPlatform } from '../image/platform.js';
import { getCredentials } from '../image/authfile.js';
import { byteCompare } from '../util/human.js';
import { matchLabels, parseUntil } from '../util/filters.js';

export interface PullRequest {
  tlsVerify?: boolean;
  certDir?: string;
  creds?: string;
  authfile?: string;
  os?: string;
  arch?: string;
  variant?: string;
  progress: Progress;
  warn: (m: string) => void;
}

/** --cert-dir, else the first certs.d/<host> that exists: the user's (rootless), /etc/containers, /etc/docker. */
export function certDirFor(rootless: boolean, host: string, explicit?: string): string | undefined {
  if (explicit) return explicit;
  const home = process.env.HOME ?? '';
  const dirs = [
    ...(rootless ? [path.join(home, '.config/containers/certs.d', host)] : []),
    path.join('/etc/containers/certs.d', host),
    path.join('/etc/docker/certs.d', host),
  ];
  return dirs.find((d) => existsSync(d));
}

function parseCreds(creds: string): { username: string; password: string } {
  const i = creds.indexOf(':');
  if (i < 0) throw new TsmanError('EUSAGE', `--creds: expected USERNAME:PASSWORD, got "${creds}"`);
  return { username: creds.slice(0, i), password: creds.slice(i + 1) };
}

/**
 * What to pull for what the user typed (src/image/shortnames.ts). A short name that matches a
 * local image is pulled by that image's name, with nothing resolved (libimage looks the name up
 * locally first too: `pull busybox` refreshes the stored 127.0.0.1:5000/tsman/busybox).
 */
export async function pullCandidates(engine: Engine, name: string): Promise<ResolvedName> {
  const ref = parseReference(name);
  // docker.io/busybox is pulled as docker.io/library/busybox, as podman names it
  if (!isShortName(name)) return { candidates: [{ name: refString(normalize(ref)), record: false }] };
  const local = localName(engine.store.read(), name);
  if (local) return { candidates: [{ name: local, record: false }] };
  const { resolvePullName, canPrompt } = await import('../image/shortnames.js');
  return resolvePullName(engine.config.registries, name, { tty: canPrompt() });
}

/** The stored name a short name finds (repository from the image, tag or digest as typed). */
function localName(state: StoreState, name: string): string | undefined {
  const rec = findImage(state, name);
  // found by its id (a short name can look like one): no name was matched
  if (!rec || rec.id.startsWith(name)) return undefined;
  const n = rec.names.find((x) => findImage({ ...state, images: [{ ...rec, names: [x] }] }, name) !== undefined);
  if (!n) return undefined;
  const ref = parseReference(name);
  const suffix = ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`;
  return splitName(n).repo + suffix;
}

/** podman's report when every candidate failed: the one error, or all of them listed. */
function pullErrors(errors: unknown[]): unknown {
  if (errors.length === 1) return errors[0];
  const last = errors[errors.length - 1];
  const msgs = errors.map((e) => (e instanceof Error ? e.message : String(e)));
  return new TsmanError(last instanceof TsmanError ? last.code : 'EREGISTRY',
    `${errors.length} errors occurred while pulling:${msgs.map((m) => `\n * ${m}`).join('')}`);
}

export async function pull(engine: Engine, name: string, req: PullRequest): Promise<ImageRecord> {
  const host = hostPlatform();
  const platform = { os: req.os ?? host.os, architecture: req.arch ?? host.architecture, variant: req.variant ?? (req.arch ? undefined : host.variant) };
  const resolved = await pullCandidates(engine, name);
  if (resolved.description) req.progress.message(resolved.description);
  const errors: unknown[] = [];
  for (const cand of resolved.candidates) {
    const ref = parseReference(cand.name);
    const full = refString(ref);
    if (engine.config.registries.isBlocked(full)) {
      errors.push(new TsmanError('EREGISTRY', `registry ${ref.registry} is blocked in registries.conf`));
      continue;
    }
    // one error per candidate, as podman lists them: a mirror's is replaced by the next source's
    let candErr: unknown;
    for (const s of engine.config.registries.pullSources(full)) {
      const sref = parseReference(s.location);
      const registry = sref.registry!;
      let credentials: PullSource['credentials'];
      if (req.creds) credentials = parseCreds(req.creds);
      else {
        const c = await getCredentials(`${registry}/${sref.repository}`, { authfile: req.authfile });
        if (c && 'password' in c) credentials = { username: c.username, password: c.password };
      }
      const src: PullSource = {
        name: full, registry, repository: sref.repository, reference: sref.digest ?? sref.tag ?? 'latest',
        insecure: req.tlsVerify === undefined ? s.insecure : !req.tlsVerify,
        certDir: certDirFor(engine.rootless, registry, req.certDir), credentials,
      };
      req.progress.message(`Trying to pull ${full}...`);
      req.progress.message('Getting image source signatures');
      try {
        const { pullImage } = await import('../image/pull.js');
        const rec = await pullImage(engine.store, src, { platform, progress: req.progress, rootless: engine.rootless, warn: req.warn });
        req.progress.message('Storing signatures');
        req.progress.finish();
        if (cand.record && resolved.shortRepo) {
          const { recordAlias, aliasValue } = await import('../image/shortnames.js');
          await recordAlias(engine.config.paths.shortNameAliasesFile, resolved.shortRepo, aliasValue(full));
        }
        return rec;
      } catch (err) {
        req.progress.finish();
        candErr = err;
        if (err instanceof TsmanError && !['ENOIMAGE', 'EREGISTRY', 'EAUTH'].includes(err.code)) throw err;
      }
    }
    errors.push(candErr);
  }
  throw pullErrors(errors);
}

// ---- listing --------------------------------------------------------------------------------

export interface ListOptions {
  all: boolean;
  filters: string[];
}

export interface ImageRow {
  record: ImageRecord;
  repository: string;
  tag: string;
  config: ImageConfig;
}

export async function list(engine: Engine, opts: ListOptions): Promise<ImageRow[]> {
  const state = engine.store.read();
  const filters = parseFilters(opts.filters, ['reference', 'dangling', 'label', 'before', 'since', 'id', 'readonly', 'intermediate', 'until']);
  const rows: ImageRow[] = [];
  const sorted = [...state.images].sort((a, b) => byteCompare(b.created, a.created) || byteCompare(b.pulled, a.pulled));
  for (const rec of sorted) {
    const config = await engine.store.readConfig<ImageConfig>(rec.id).catch(() => ({} as ImageConfig));
    if (!matchesFilters(state, rec, config, filters)) continue;
    const names = rec.names.length ? rec.names : [''];
    for (const n of names) {
      if (filters.reference && n && !filters.reference.some((r) => refMatches(n, r))) continue;
      const { repo, tag } = n ? splitName(n) : { repo: '<none>', tag: '<none>' };
      rows.push({ record: rec, repository: repo, tag, config });
    }
  }
  return rows;
}

/** `--filter k=v` by key; `kind` words the error for an unknown key as podman does for it. */
export function parseFilters(list: string[], allowed: string[], kind: 'image' | 'container' = 'image'): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of list) {
    const i = f.indexOf('=');
    const key = i < 0 ? f : f.slice(0, i);
    const value = i < 0 ? '' : f.slice(i + 1);
    if (kind === 'image' && i < 0) {
      throw new TsmanError('EUSAGE', `invalid image filter "${f}": must be in the format "filter=value or filter!=value"`);
    }
    if (!allowed.includes(key)) {
      throw new TsmanError('EUSAGE', kind === 'image' ? `unsupported image filter "${key}"` : `${key} is an invalid filter`);
    }
    (out[key] ??= []).push(value);
  }
  return out;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
}

function refMatches(name: string, pattern: string): boolean {
  const { repo, tag } = splitName(name);
  const hasTag = /:[^/]*$/.test(pattern);
  const re = globToRegExp(pattern);
  const cands = [name, repo, ...(hasTag ? [] : [])];
  // podman matches the pattern against the full name and against the name without registry
  const noReg = repo.includes('/') ? repo.slice(repo.indexOf('/') + 1) : repo;
  cands.push(`${noReg}:${tag}`, noReg, repo.split('/').pop()!, `${repo.split('/').pop()}:${tag}`);
  return cands.some((c) => re.test(c));
}

function matchesFilters(state: StoreState, rec: ImageRecord, config: ImageConfig, f: Record<string, string[]>): boolean {
  if (f.dangling) {
    const want = f.dangling[f.dangling.length - 1] !== 'false';
    if ((rec.names.length === 0) !== want) return false;
  }
  if (f.reference && rec.names.length === 0) return false;
  if (f.id && !f.id.some((p) => rec.id.startsWith(p.replace(/^sha256:/, '')))) return false;
  if (f.label) {
    const labels = config.config?.Labels ?? {};
    if (!matchLabels(f.label, labels)) return false;
  }
  for (const key of ['before', 'since'] as const) {
    for (const v of f[key] ?? []) {
      const other = findImage(state, v);
      if (!other) throw new TsmanError('ENOIMAGE', `${v}: image not known`);
      if (key === 'before' ? rec.created >= other.created : rec.created <= other.created) return false;
    }
  }
  if (f.readonly && f.readonly.some((v) => v === 'true')) return false;
  if (f.until) {
    // a Go duration back from now, a date or unix seconds, as every noun's until (podman's timetype)
    for (const v of f.until) {
      if (!(Date.parse(rec.created) < parseUntil(v))) return false;
    }
  }
  return true;
}

// ---- inspect ---------------------------------------------------------------------------------

export async function inspectOne(engine: Engine, rec: ImageRecord): Promise<Record<string, unknown>> {
  const config = await engine.store.readConfig<ImageConfig>(rec.id);
  const repoDigests: string[] = [];
  for (const n of rec.names) {
    const { repo } = splitName(n);
    for (const d of rec.digests) {
      const s = `${repo}@${d}`;
      if (!repoDigests.includes(s)) repoDigests.push(s);
    }
  }
  const top = rec.layers[rec.layers.length - 1];
  const graph: Record<string, string> = {};
  if (top) {
    Object.assign(graph, engine.store.driver.inspectData(rec.layers.map((l) => engine.store.diffDir(l))));
  }
  const cc = config.config ?? {};
  return {
    Id: rec.id,
    Digest: rec.digest,
    RepoTags: rec.names,
    RepoDigests: repoDigests,
    Parent: '',
    Comment: config.comment ?? '',
    Created: config.created ?? rec.created,
    Config: cc,
    Version: config.docker_version ?? '',
    Author: config.author ?? '',
    Architecture: config.architecture ?? '',
    Os: config.os ?? '',
    ...(config.variant ? { Variant: config.variant } : {}),
    Size: rec.size,
    VirtualSize: rec.size,
    GraphDriver: { Name: engine.store.driver.name, Data: graph },
    RootFS: { Type: config.rootfs?.type ?? 'layers', Layers: config.rootfs?.diff_ids ?? [] },
    Labels: cc.Labels ?? null,
    Annotations: {},
    ManifestType: rec.manifestMediaType,
    User: cc.User ?? '',
    History: config.history ?? [],
    NamesHistory: rec.namesHistory ?? [],
  };
}

export async function inspect(engine: Engine, names: string[]): Promise<{ found: Record<string, unknown>[]; errors: TsmanError[] }> {
  const state = engine.store.read();
  const found: Record<string, unknown>[] = [];
  const errors: TsmanError[] = [];
  for (const n of names) {
    const rec = findImage(state, n);
    if (!rec) { errors.push(new TsmanError('ENOIMAGE', `${n}: image not known`)); continue; }
    const data = await inspectOne(engine, rec);
    found.push(data);
  }
  return { found, errors };
}

export function exists(engine: Engine, name: string): boolean {
  return findImage(engine.store.read(), name) !== undefined;
}

// ---- tag / untag ------------------------------------------------------------------------------

function normalizeTarget(t: string): string {
  // podman tags unqualified names into localhost/
  const ref = parseReference(t);
  if (ref.digest) throw new TsmanError('EUSAGE', `${t}: tag by digest not supported`);
  const full = isShortName(t) ? `localhost/${ref.repository}:${ref.tag ?? 'latest'}` : refString(ref);
  return full;
}

export async function tag(engine: Engine, name: string, targets: string[]): Promise<void> {
  const norm = targets.map(normalizeTarget);
  const { recordImage } = await import('../image/pull.js');
  await engine.store.update((state) => {
    const rec = mustFindImage(state, name);
    for (const t of norm) recordImage(state, rec, t);
    return { save: true, value: undefined };
  });
}

export async function untag(engine: Engine, name: string, targets: string[]): Promise<void> {
  await engine.store.update((state) => {
    const rec = mustFindImage(state, name);
    if (targets.length === 0) {
      rec.namesHistory = [...rec.names, ...(rec.namesHistory ?? [])];
      rec.names = [];
    }
    for (const t of targets) {
      const other = findImage(state, t);
      const full = rec.names.find((n) => other === rec && (n === t || n === normalizeTarget(t) || splitName(n).repo.endsWith(`/${parseReference(t).repository}`) && splitName(n).tag === (parseReference(t).tag ?? 'latest')));
      if (!full) throw new TsmanError('ENOIMAGE', `${t}: tag not known`);
      rec.names = rec.names.filter((n) => n !== full);
    }
    return { save: true, value: undefined };
  });
}

// ---- remove / prune -----------------------------------------------------------------------------

export interface RemoveReport {
  untagged: string[];
  deleted: string[];
  errors: TsmanError[];
  /** podman rmi: 1 when an image was missing (and nothing worse), 2 when in use */
  exitCode: number;
}

export async function remove(engine: Engine, names: string[], opts: { force: boolean; all: boolean; ignore?: boolean }): Promise<RemoveReport> {
  const report: RemoveReport = { untagged: [], deleted: [], errors: [], exitCode: 0 };
  if (opts.force) {
    // rmi -f removes the containers using the image first (outside the store lock: removing a
    // container takes it itself)
    const state = engine.store.read();
    const ids = new Set<string>();
    for (const n of opts.all ? state.images.map((i) => i.id) : names) {
      const rec = findImage(state, n);
      if (rec) for (const c of state.containers ?? []) if (c.imageId === rec.id) ids.add(c.id);
    }
    if (ids.size > 0) {
      const { removeContainer } = await import('./containers/lifecycle.js');
      for (const id of ids) await removeContainer(engine, id, { force: true, volumes: true, ignore: true });
    }
  }
  const trash: string[] = [];
  const tmp = await engine.store.makeTmpDir();
  try {
    await engine.store.update(async (state) => {
      await engine.store.purgeLeftovers(state);
      const targets: Array<{ rec: ImageRecord; by: string }> = [];
      if (opts.all) for (const rec of state.images) targets.push({ rec, by: rec.id });
      for (const n of names) {
        const rec = findImage(state, n);
        if (!rec) {
          if (!opts.ignore) {
            report.errors.push(new TsmanError('ENOIMAGE', `${n}: image not known`, { exitCode: 1 }));
            report.exitCode ||= 1;
          }
          continue;
        }
        targets.push({ rec, by: n });
      }
      const removed = new Set<string>();
      for (const { rec, by } of targets) {
        if (removed.has(rec.id)) continue;
        const byId = (/^(sha256:)?[0-9a-f]{3,64}$/.test(by) && rec.id.startsWith(by.replace(/^sha256:/, ''))) || (/^sha(384|512):/.test(by) && rec.id.startsWith(by));
        if (!byId && !opts.all && rec.names.length > 1) {
          // removing one of several names only untags it
          const full = findNameFor(rec, by);
          rec.names = rec.names.filter((x) => x !== full);
          report.untagged.push(full);
          continue;
        }
        const users = (state.containers ?? []).filter((c) => c.imageId === rec.id);
        if (users.length > 0 && (byId || rec.names.length <= 1 || opts.all)) {
          if (!opts.force) {
            report.errors.push(new TsmanError('EINUSE',
              `image used by ${users[0]!.id}: image is in use by a container: consider listing external containers and force-removing image`, { exitCode: 2 }));
            report.exitCode = 2;
            continue;
          }
          // with -f its containers were removed before the lock was taken
        }
        if (byId && rec.names.length > 1 && !opts.force && !opts.all) {
          report.errors.push(new TsmanError('EINUSE',
            `unable to delete image "${rec.id}" by ID with more than one tag ([${rec.names.join(' ')}]): please force removal`, { exitCode: 2 }));
          report.exitCode = 2;
          continue;
        }
        report.untagged.push(...rec.names);
        report.deleted.push(rec.id);
        removed.add(rec.id);
      }
      if (removed.size === 0 && report.untagged.length === 0) return { save: false, value: undefined };
      state.images = state.images.filter((i) => !removed.has(i.id));
      const { unmountImage } = await import('./imagemount.js');
      for (const id of removed) {
        await unmountImage(engine, id).catch(() => undefined);
        trash.push(await moveAside(engine.store.imageDir(id), tmp));
      }
      await dropUnusedLayers(engine, state, tmp, trash);
      return { save: true, value: undefined };
    });
  } finally {
    for (const t of trash) await removeTree(t);
    await removeTree(tmp);
  }
  return report;
}

function findNameFor(rec: ImageRecord, by: string): string {
  if (rec.names.includes(by)) return by;
  const st: StoreState = { version: 1, driver: '', images: [], layers: [] };
  for (const n of rec.names) {
    st.images = [{ ...rec, names: [n] }];
    if (findImage(st, by)) return n;
  }
  return rec.names[0]!;
}

async function moveAside(p: string, tmp: string): Promise<string> {
  const dest = path.join(tmp, `trash-${path.basename(p)}-${Math.random().toString(36).slice(2)}`);
  try {
    await fsp.rename(p, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return dest;
    throw wrapError(err, `removing ${p}`);
  }
  return dest;
}

/** Under the store lock: drop layer records no image uses, moving their dirs into tmp. */
async function dropUnusedLayers(engine: Engine, state: StoreState, tmp: string, trash: string[]): Promise<void> {
  const used = new Set<string>();
  for (const i of state.images) for (const l of i.layers) used.add(l);
  const keep = [];
  for (const l of state.layers) {
    if (used.has(l.id)) keep.push(l);
    else trash.push(await moveAside(engine.store.layerDir(l.id), tmp));
  }
  state.layers = keep;
}

export async function prune(engine: Engine, opts: { all: boolean; filters: string[] }): Promise<string[]> {
  const filters = parseFilters(opts.filters, ['label', 'until', 'dangling']);
  const state = engine.store.read();
  const victims: string[] = [];
  for (const rec of state.images) {
    if (!opts.all && rec.names.length > 0) continue;
    const config = await engine.store.readConfig<ImageConfig>(rec.id).catch(() => ({} as ImageConfig));
    if (!matchesFilters(state, rec, config, filters)) continue;
    victims.push(rec.id);
  }
  if (victims.length === 0) return [];
  const rep = await remove(engine, victims, { force: true, all: false, ignore: true });
  return rep.deleted;
}

// ---- history --------------------------------------------------------------------------------------

export interface HistoryRow {
  id: string;
  created: string;
  createdBy: string;
  size: number;
  comment: string;
  tags: string[];
}

export async function history(engine: Engine, name: string): Promise<HistoryRow[]> {
  const state = engine.store.read();
  const rec = mustFindImage(state, name);
  const config = await engine.store.readConfig<ImageConfig>(rec.id);
  const layerSizes = rec.layers.map((id) => state.layers.find((l) => l.id === id)?.size ?? 0);
  const hist = config.history ?? [];
  const rows: HistoryRow[] = [];
  let li = 0;
  for (const h of hist) {
    const size = h.empty_layer ? 0 : (layerSizes[li++] ?? 0);
    rows.push({ id: '<missing>', created: h.created ?? '', createdBy: h.created_by ?? '', size, comment: h.comment ?? '', tags: [] });
  }
  if (rows.length === 0) {
    for (const s of layerSizes) rows.push({ id: '<missing>', created: config.created ?? '', createdBy: '', size: s, comment: '', tags: [] });
  }
  rows.reverse();
  if (rows[0]) { rows[0].id = rec.id; rows[0].tags = rec.names; }
  return rows;
}
