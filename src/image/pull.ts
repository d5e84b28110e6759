// Pull: resolve the reference to sources, fetch the manifest (a list resolves to this platform),
// the config, then the missing layers — downloaded in parallel, each verified against its digest
// while streaming, extracted into a private tmp dir, checked against the config's diff id and only
// then committed into the store. See src/storage/store.ts for the lock order and crash safety.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { TsmanError, wrapError } from '../errors.js';
import { FileLock } from '../util/lock.js';
import { atomicWriteFile, mkdirp } from '../util/fsutil.js';
import type { Store, ImageRecord, LayerRecord, StoreState } from '../storage/store.js';
import { removeTree } from '../storage/store.js';
import { extractLayer } from '../storage/extract.js';
import { openLayerStream } from '../storage/decompress.js';
import { RegistryClient } from './registry.js';
import { selectManifest } from './platform.js';
import type { ImageConfig, Manifest, Index } from './mediatypes.js';
import * as mt from './mediatypes.js';
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

export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  let prev: string | undefined;
  for (const d of diffIds) {
    const id = prev === undefined ? hex(d) : createHash('sha256').update(`sha256:${prev} ${d}`).digest('hex');
    out.push(id);
    prev = id;
  }
  return out;
}

function hex(digest: string): string {
  return digest.replace(/^sha256:/, '');
}

export async function pullImage(store: Store, src: PullSource, opts: PullOptions): Promise<ImageRecord> {
  const client = new RegistryClient({
    registry: src.registry, insecure: src.insecure, certDir: src.certDir, credentials: src.credentials,
  });
  const p = opts.progress;

  // 1. manifest (resolving a list/index to the platform)
  let m = await client.getManifest(src.repository, src.reference, MANIFEST_ACCEPT);
  const digests: string[] = [];
  let listBody: Buffer | undefined;
  let pulledBy = m.digest;
  if (mt.isIndexType(m.mediaType)) {
    listBody = m.body;
    const index = JSON.parse(m.body.toString('utf8')) as Index;
    const chosen = selectManifest(index, opts.platform, { ref: `docker://${src.name}` });
    digests.push(m.digest);
    m = await client.getManifest(src.repository, chosen.digest, MANIFEST_ACCEPT);
    if (m.digest !== chosen.digest) throw new TsmanError('EDIGEST', `manifest ${chosen.digest}: digest mismatch (got ${m.digest})`);
  }
  digests.unshift(m.digest);
  if (!mt.isManifestType(m.mediaType)) {
    throw new TsmanError('EUNSUPPORTED', `unsupported manifest type ${m.mediaType} for ${src.name}`);
  }
  const manifest = JSON.parse(m.body.toString('utf8')) as Manifest;
  if (!listBody) pulledBy = m.digest;

  // 2. config (small: kept in memory, verified against its digest)
  const tmp = await store.makeTmpDir();
  try {
    const configFile = path.join(tmp, 'config');
    await client.fetchBlob(src.repository, manifest.config.digest, configFile, { size: manifest.config.size });
    const configBody = await fsp.readFile(configFile);
    const config = JSON.parse(configBody.toString('utf8')) as ImageConfig;
    const diffIds = config.rootfs?.diff_ids ?? [];
    const layerDescs = manifest.layers.filter((l) => !mt.isForeignLayer(l.mediaType));
    if (diffIds.length !== layerDescs.length) {
      throw new TsmanError('ELAYER', `image ${src.name}: config lists ${diffIds.length} layers, manifest ${layerDescs.length}`);
    }
    const imageId = hex(manifest.config.digest);
    const ids = chainIds(diffIds);

    // 3. layers: the ones the store lacks
    const have = new Set(store.read().layers.map((l) => l.id));
    for (let i = 0; i < layerDescs.length; i++) {
      if (have.has(ids[i]!)) p.skip('blob', layerDescs[i]!.digest);
    }
    const missing = layerDescs.map((d, i) => ({ desc: d, i })).filter(({ i }) => !have.has(ids[i]!));
    const blobFiles = new Map<number, Promise<string>>();
    const limit = opts.parallel ?? 6;
    let running = 0;
    const queue: Array<() => void> = [];
    const slot = async <T>(fn: () => Promise<T>): Promise<T> => {
      if (running >= limit) await new Promise<void>((r) => queue.push(r));
      running++;
      try { return await fn(); } finally { running--; queue.shift()?.(); }
    };
    for (const { desc, i } of missing) {
      blobFiles.set(i, slot(async () => {
        const f = path.join(tmp, `blob-${i}`);
        p.start('blob', desc.digest, desc.size);
        await client.fetchBlob(src.repository, desc.digest, f, { size: desc.size, onProgress: (n) => p.update(desc.digest, n) });
        return f;
      }));
    }
    // Stop other downloads' promises from being unhandled if one fails early.
    for (const pr of blobFiles.values()) pr.catch(() => undefined);

    const commitOne = async (i: number): Promise<void> => {
      const id = ids[i]!;
      const desc = layerDescs[i]!;
      const layerLock = new FileLock(path.join(store.dir, 'locks', `layer-${id}.lock`));
      await layerLock.with(async () => {
        if (store.read().layers.some((l) => l.id === id)) { await blobFiles.get(i)?.catch(() => undefined); p.done(desc.digest); return; }
        const file = await blobFiles.get(i)!;
        const work = path.join(tmp, `layer-${i}`);
        await mkdirp(path.join(work, 'diff'), 0o755);
        const parent = i > 0 ? ids[i - 1]! : undefined;
        await store.driver.prepareLayer(path.join(work, 'diff'), parent ? store.diffDir(parent) : undefined);
        let res;
        try {
          const stream = await openLayerStream(file);
          res = await extractLayer(stream, path.join(work, 'diff'), {
            whiteoutMode: store.driver.whiteoutMode, rootless: opts.rootless, warn: opts.warn,
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

    if (store.driver.stacksLayers) {
      // each diff is independent of its parent: extract as soon as each download ends
      await Promise.all(missing.map(({ i }) => commitOne(i)));
    } else {
      // vfs: a layer starts as a copy of its parent, so they are built bottom-up
      for (const { i } of missing) await commitOne(i);
    }
    p.start('config', manifest.config.digest, manifest.config.size);
    p.done(manifest.config.digest);

    // 4. the image record, under the store lock; its files are written first
    p.message('Writing manifest to image destination');
    return await store.update(async (state) => {
      await store.purgeLeftovers(state);
      // written under the lock: a concurrent purge removes image dirs no record names
      const imgDir = store.imageDir(imageId);
      await mkdirp(imgDir);
      await atomicWriteFile(path.join(imgDir, 'config'), configBody, 0o644);
      await atomicWriteFile(path.join(imgDir, 'manifest'), m.body, 0o644);
      if (listBody) await atomicWriteFile(path.join(imgDir, 'list'), listBody, 0o644);
      const layers = state.layers;
      for (const id of ids) {
        if (!layers.some((l) => l.id === id)) throw new TsmanError('ESTORAGE', `layer ${id} vanished while pulling ${src.name}`);
      }
      // podman counts the manifest and config with the layers
      const size = ids.reduce((n, id) => n + (layers.find((l) => l.id === id)?.size ?? 0), 0) + m.body.length + configBody.length;
      const rec = recordImage(state, {
        id: imageId, names: [], digests: [...new Set(digests)], digest: pulledBy, layers: ids,
        created: config.created ?? new Date(0).toISOString(), pulled: new Date().toISOString(), size,
        manifestMediaType: m.mediaType,
      }, isDigest(src.reference) ? undefined : src.name);
      return { save: true, value: rec };
    });
  } finally {
    await removeTree(tmp);
  }
}

function isDigest(ref: string): boolean {
  return /^[a-z0-9]+:[a-f0-9]{32,}$/.test(ref);
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
