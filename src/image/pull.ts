// Pull: resolve the reference to sources, fetch the manifest (a list resolves to this platform),
// the config, then the missing layers — downloaded in parallel, each verified against its digest
// while streaming, extracted into a private tmp dir, checked against the config's diff id and only
// then committed into the store. See src/storage/store.ts for the lock order and crash safety.
// Every document is checked (src/image/validate.ts) before anything in it names a file, a lock or
// a URL; a bad one fails the pull naming it and the reference it came from.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { TsmanError, wrapError } from '../errors.js';
import { FileLock } from '../util/lock.js';
import { atomicWriteFile, mkdirp } from '../util/fsutil.js';
import type { Store, ImageRecord, LayerRecord, StoreState } from '../storage/store.js';
import { removeTree } from '../storage/store.js';
import { openLayerStream } from '../storage/decompress.js';
import { RegistryClient } from './registry.js';
import { selectManifest } from './platform.js';
import type { Descriptor } from './mediatypes.js';
import * as mt from './mediatypes.js';
import {
  MAX_CONFIG_SIZE, MAX_MANIFEST_SIZE, ShapeError, checkImageConfig, checkIndex, checkManifest, isValidDigest, parseJson, splitDigest,
} from './validate.js';
import type { Progress } from './progress.js';

export interface PullSource {
  /** fully qualified reference string to record as the image name, e.g. 127.0.0.1:5000/a/b:tag */
  name: string;
  registry: string;
  repository: string;
  /** tag or digest */
  reference: string;
  insecure: boolean;
  certDir?: string;
  credentials?: { username: string; password: string };
}

export interface PullOptions {
  platform: { os: string; architecture: string; variant?: string };
  progress: Progress;
  rootless: boolean;
  warn: (msg: string) => void;
  /** already-present image: only re-tag (pull policy "missing") */
  parallel?: number;
}

const MANIFEST_ACCEPT = [...mt.ACCEPT_MANIFEST_TYPES];
/** Rounds of fetching layers that a concurrent `rmi` removed before this pull recorded its image. */
const MAX_ROUNDS = 5;

/**
 * The layer ids (directory names in the store) for a config's diff ids: OCI chain ids, sha256
 * hex. The first layer's chain id is its diff id; one that is not sha256 is hashed once more so
 * that every id has the same form.
 */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  let prev: string | undefined;
  for (const d of diffIds) {
    let id: string;
    if (prev !== undefined) id = sha256(`sha256:${prev} ${d}`);
    else id = d.startsWith('sha256:') ? d.slice(7) : sha256(d);
    out.push(id);
    prev = id;
  }
  return out;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The image id: the sha256 of the config's bytes (its digest when the manifest uses sha256). */
export function imageIdOf(configBody: Buffer): string {
  return sha256(configBody);
}

/** A layer this pull counted on was removed (a concurrent `rmi`): fetch it again. */
class LayerGone extends Error {}

/**
 * Parse and check one document of the image; a bad one fails the pull naming the document
 * (kind and digest) and where it came from.
 */
function readDocument<T>(kind: string, digest: string, origin: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof ShapeError) throw new TsmanError('EINVALID', `invalid ${kind} ${digest} from ${origin}: ${err.message}`);
    throw err;
  }
}

export async function pullImage(store: Store, src: PullSource, opts: PullOptions): Promise<ImageRecord> {
  const client = new RegistryClient({
    registry: src.registry, insecure: src.insecure, certDir: src.certDir, credentials: src.credentials,
  });
  const p = opts.progress;
  const origin = `${src.registry}/${src.repository}${isValidDigest(src.reference) ? '@' : ':'}${src.reference}`;

  // 1. manifest (resolving a list/index to the platform); every document is checked before
  // anything in it is used, digests above all: they name files, locks and URLs
  let m = await client.getManifest(src.repository, src.reference, MANIFEST_ACCEPT);
  const digests: string[] = [];
  let listBody: Buffer | undefined;
  let pulledBy = m.digest;
  if (mt.isIndexType(m.mediaType)) {
    listBody = m.body;
    const listType = m.mediaType;
    const index = readDocument('image index', m.digest, origin, () => checkIndex(parseJson(listBody!), listType));
    const chosen = selectManifest(index, opts.platform, { ref: `docker://${src.name}` });
    if (chosen.size > MAX_MANIFEST_SIZE) {
      throw new TsmanError('EINVALID', `invalid image index ${m.digest} from ${origin}: manifest ${chosen.digest} of ${chosen.size} bytes exceeded maximum allowed size of ${MAX_MANIFEST_SIZE} bytes`);
    }
    digests.push(m.digest);
    m = await client.getManifest(src.repository, chosen.digest, MANIFEST_ACCEPT);
    if (m.digest !== chosen.digest) throw new TsmanError('EDIGEST', `manifest ${chosen.digest}: digest mismatch (got ${m.digest})`);
  }
  digests.unshift(m.digest);
  if (!mt.isManifestType(m.mediaType)) {
    throw new TsmanError('EUNSUPPORTED', `unsupported manifest type ${m.mediaType} for ${src.name}`);
  }
  const manifestType = m.mediaType;
  const manifestBody = m.body;
  const manifest = readDocument('image manifest', m.digest, origin, () => checkManifest(parseJson(manifestBody), manifestType));
  if (!listBody) pulledBy = m.digest;
  const cfgDesc = manifest.config;
  if (manifestType === mt.MediaType.OCIManifest && cfgDesc.mediaType !== mt.MediaType.OCIConfig && cfgDesc.mediaType !== mt.MediaType.DockerConfig) {
    // c/image's NonImageArtifactError: an OCI artifact (a Helm chart, a signature...) is no image
    throw new TsmanError('EUNSUPPORTED', `${origin}: unsupported image-specific operation on artifact with type ${JSON.stringify(cfgDesc.mediaType)}`);
  }
  if (cfgDesc.size > MAX_CONFIG_SIZE) {
    throw new TsmanError('EINVALID', `invalid image config ${cfgDesc.digest} from ${origin}: ${cfgDesc.size} bytes exceeded maximum allowed size of ${MAX_CONFIG_SIZE} bytes`);
  }

  // 2. config (small: kept in memory, verified against its digest)
  const tmp = await store.makeTmpDir();
  try {
    const configFile = path.join(tmp, 'config');
    await client.fetchBlob(src.repository, cfgDesc.digest, configFile, { size: cfgDesc.size });
    const configBody = await fsp.readFile(configFile);
    const config = readDocument('image config', cfgDesc.digest, origin, () => checkImageConfig(parseJson(configBody)));
    const diffIds = config.rootfs.diff_ids ?? [];
    const layerDescs = manifest.layers.filter((l) => !mt.isForeignLayer(l.mediaType));
    if (diffIds.length !== layerDescs.length) {
      throw new TsmanError('ELAYER', `image ${src.name}: config lists ${diffIds.length} layers, manifest ${layerDescs.length}`);
    }
    const imageId = imageIdOf(configBody);
    const ids = chainIds(diffIds);

    // 3. layers: the ones the store lacks. A concurrent `rmi` may remove a layer this pull found
    // in the store (or has just added: no image names it yet) before the image is recorded; the
    // record is then not written and the layers that went are fetched again.
    for (let round = 1; ; round++) {
      const have = new Set(store.read().layers.map((l) => l.id));
      if (round === 1) {
        for (let i = 0; i < layerDescs.length; i++) {
          if (have.has(ids[i]!)) p.skip('blob', layerDescs[i]!.digest);
        }
      }
      const missing = layerDescs.map((d, i) => ({ desc: d, i })).filter(({ i }) => !have.has(ids[i]!));
      try {
        await fetchLayers(store, client, src, opts, { tmp: path.join(tmp, `round-${round}`), missing, ids, diffIds });
      } catch (err) {
        if (!(err instanceof LayerGone) || round >= MAX_ROUNDS) throw err instanceof LayerGone ? layersKeptVanishing(src) : err;
        continue;
      }
      if (round === 1) {
        p.start('config', cfgDesc.digest, cfgDesc.size);
        p.done(cfgDesc.digest);
        p.message('Writing manifest to image destination');
      }

      // 4. the image record, under the store lock; its files are written first
      const rec = await store.update(async (state) => {
        await store.purgeLeftovers(state);
        const layers = state.layers;
        if (ids.some((id) => !layers.some((l) => l.id === id))) return { save: false, value: undefined };
        // written under the lock: a concurrent purge removes image dirs no record names
        const imgDir = store.imageDir(imageId);
        await mkdirp(imgDir);
        await atomicWriteFile(path.join(imgDir, 'config'), configBody, 0o644);
        await atomicWriteFile(path.join(imgDir, 'manifest'), manifestBody, 0o644);
        if (listBody) await atomicWriteFile(path.join(imgDir, 'list'), listBody, 0o644);
        // podman counts the manifest and config with the layers
        const size = ids.reduce((n, id) => n + (layers.find((l) => l.id === id)?.size ?? 0), 0) + manifestBody.length + configBody.length;
        const rec = recordImage(state, {
          id: imageId, names: [], digests: [...new Set(digests)], digest: pulledBy, layers: ids,
          created: config.created ?? new Date(0).toISOString(), pulled: new Date().toISOString(), size,
          manifestMediaType: manifestType,
        }, isValidDigest(src.reference) ? undefined : src.name);
        return { save: true, value: rec };
      });
      if (rec) return rec;
      if (round >= MAX_ROUNDS) throw layersKeptVanishing(src);
    }
  } finally {
    await removeTree(tmp);
  }
}

function layersKeptVanishing(src: PullSource): TsmanError {
  return new TsmanError('ESTORAGE', `layers of ${src.name} were removed while pulling it, ${MAX_ROUNDS} times over`);
}

interface LayerWork {
  /** this round's scratch dir */
  tmp: string;
  missing: Array<{ desc: Descriptor; i: number }>;
  ids: string[];
  diffIds: string[];
}

/** Download the missing layers (in parallel), extract, verify and commit each into the store. */
async function fetchLayers(store: Store, client: RegistryClient, src: PullSource, opts: PullOptions, w: LayerWork): Promise<void> {
  const p = opts.progress;
  const { ids, diffIds } = w;
  await mkdirp(w.tmp);
  const blobFiles = new Map<number, Promise<string>>();
  const limit = opts.parallel ?? 6;
  let running = 0;
  const queue: Array<() => void> = [];
  const slot = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((r) => queue.push(r));
    running++;
    try { return await fn(); } finally { running--; queue.shift()?.(); }
  };
  for (const { desc, i } of w.missing) {
    blobFiles.set(i, slot(async () => {
      const f = path.join(w.tmp, `blob-${i}`);
      p.start('blob', desc.digest, desc.size);
      await client.fetchBlob(src.repository, desc.digest, f, { size: desc.size, onProgress: (n) => p.update(desc.digest, n) });
      return f;
    }));
  }
  // Stop other downloads' promises from being unhandled if one fails early.
  for (const pr of blobFiles.values()) pr.catch(() => undefined);

  const commitOne = async (i: number, desc: Descriptor): Promise<void> => {
    const id = ids[i]!;
    // the lock file goes when its holder is done, whatever the outcome (util/lock.ts's protocol)
    const layerLock = new FileLock(store.layerLockFile(id));
    await layerLock.withThenRemove(async () => {
      if (store.read().layers.some((l) => l.id === id)) { await blobFiles.get(i)?.catch(() => undefined); p.done(desc.digest); return; }
      const file = await blobFiles.get(i)!;
      const work = path.join(w.tmp, `layer-${i}`);
      await mkdirp(path.join(work, 'diff'), 0o755);
      const parent = i > 0 ? ids[i - 1]! : undefined;
      try {
        await store.driver.createLayer(path.join(work, 'diff'), parent ? store.diffDir(parent) : undefined);
      } catch (err) {
        // vfs copies the parent: a concurrent rmi may have taken it away
        if (parent && !store.read().layers.some((l) => l.id === parent)) throw new LayerGone(parent);
        throw err;
      }
      let res;
      try {
        const stream = await openLayerStream(file);
        res = await store.driver.applyDiff(path.join(work, 'diff'), stream, {
          rootless: opts.rootless, warn: opts.warn,
          digestAlgorithm: splitDigest(diffIds[i]!).algorithm,
        });
      } catch (err) {
        await removeTree(work);
        throw wrapError(err, `extracting layer ${desc.digest}`);
      }
      await fsp.rm(file, { force: true });
      if (res.diffId !== diffIds[i]) {
        await removeTree(work);
        throw new TsmanError('EDIGEST', `layer ${desc.digest}: uncompressed digest ${res.diffId} does not match the config's ${diffIds[i]}`);
      }
      const rec: LayerRecord = {
        id, diffDigest: res.diffId, compressedDigest: desc.digest, compressedSize: desc.size,
        size: res.size, created: new Date().toISOString(),
      };
      if (parent) rec.parent = parent;
      await store.update((state) => {
        if (state.layers.some((l) => l.id === id)) return { save: false, value: undefined };
        return mkdirp(path.dirname(store.layerDir(id)), 0o700).then(() => fsp.rename(work, store.layerDir(id))).then(() => {
          state.layers.push(rec);
          return { save: true, value: undefined };
        });
      });
      p.done(desc.digest);
    });
  };

  // (each round has a scratch dir of its own: downloads a failed round leaves running write there)
  if (store.driver.layersIndependent) {
    // each diff is independent of its parent: extract as soon as each download ends
    await Promise.all(w.missing.map(({ desc, i }) => commitOne(i, desc)));
  } else {
    // vfs: a layer starts as a copy of its parent, so they are built bottom-up
    for (const { desc, i } of w.missing) await commitOne(i, desc);
  }
}

/** Add or merge an image record and move `name` to it from any other image. */
export function recordImage(state: StoreState, img: ImageRecord, name?: string): ImageRecord {
  let rec = state.images.find((i) => i.id === img.id);
  if (!rec) {
    rec = img;
    state.images.push(rec);
  } else {
    rec.digests = [...new Set([...img.digests, ...rec.digests])];
    rec.digest = img.digest;
    rec.pulled = img.pulled;
  }
  if (name) {
    for (const other of state.images) {
      if (other !== rec && other.names.includes(name)) {
        other.names = other.names.filter((n) => n !== name);
        other.namesHistory = [name, ...(other.namesHistory ?? []).filter((n) => n !== name)];
      }
    }
    rec.names = [name, ...rec.names.filter((n) => n !== name)];
    rec.namesHistory = [name, ...(rec.namesHistory ?? []).filter((n) => n !== name)];
  }
  return rec;
}
