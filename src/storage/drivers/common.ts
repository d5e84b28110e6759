// What the drivers share: running a helper program, overlay option escaping, the mount counts,
// and the parts of the interface that only depend on the layer form (apply/diff/changes/size).
import { builtin, childProcess } from '../../util/builtin.js';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { TsmanError } from '../../errors.js';
import type { ApplyDiffOptions, Driver, DriverName, MountRequest } from './types.js';
import type { ExtractResult, WhiteoutMode } from '../extract.js';
import type { Change, LayerForm } from '../layerdiff.js';

export function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = childProcess().spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('error', (e) => reject(new TsmanError('ESTORAGE', `${cmd}: ${e.message}`)));
    p.on('close', (code) => code === 0 ? resolve() : reject(new TsmanError('ESTORAGE', `${cmd} ${args.join(' ')}: ${err.trim() || `exit status ${code}`}`)));
  });
}

async function isExecutable(p: string): Promise<boolean> {
  try { await fsp.access(p, 1); return true; } catch { return false; }
}

export async function findFuseOverlayfs(configured?: string): Promise<string | undefined> {
  for (const p of [configured, '/usr/bin/fuse-overlayfs', '/usr/local/bin/fuse-overlayfs']) {
    if (p && await isExecutable(p)) return p;
  }
  return undefined;
}

export function escapeOverlay(p: string): string {
  return p.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/,/g, '\\,');
}

/**
 * The base of every driver: mount counting around doMount/doUnmount, and the layer-form
 * operations, which differ between drivers only in the whiteout form (`whiteoutMode`) and in
 * whether a layer holds only its own changes or a full copy of its parent (`form`).
 */
export abstract class BaseDriver implements Driver {
  abstract readonly name: DriverName;
  abstract readonly layersIndependent: boolean;
  abstract readonly supportsIdMapping: boolean;
  /** how applyDiff writes whiteouts (src/storage/extract.ts) */
  abstract readonly whiteoutMode: WhiteoutMode;
  private readonly counts = new Map<string, number>();

  protected get form(): LayerForm {
    return this.whiteoutMode === 'vfs' ? { kind: 'copy' } : { kind: 'overlay' };
  }

  async createLayer(_diffDir: string, _parent: string | undefined): Promise<void> { /* a diff dir starts empty */ }

  async removeLayer(layerDir: string): Promise<void> {
    await fsp.rm(layerDir, { recursive: true, force: true });
  }

  async applyDiff(diffDir: string, tar: Readable, opts: ApplyDiffOptions): Promise<ExtractResult> {
    const { extractLayer } = await import('../extract.js');
    return extractLayer(tar, diffDir, { ...opts, whiteoutMode: this.whiteoutMode });
  }

  diff(diffDir: string, parents: string[]): Readable {
    const { PassThrough } = builtin<typeof import('node:stream')>('node:stream');
    const out = new PassThrough();
    void import('../layerdiff.js').then((m) => m.writeLayerDiff(this.form, diffDir, parents, out))
      .catch((err: Error) => out.destroy(err));
    return out;
  }

  async changes(diffDir: string, parents: string[]): Promise<Change[]> {
    const { layerChanges } = await import('../layerdiff.js');
    // an opaque root is listed (for diff) as a change of '/', which no report shows
    return (await layerChanges(this.form, diffDir, parents)).filter((c) => c.path !== '/').map(({ kind, path }) => ({ kind, path }));
  }

  async size(diffDir: string, parents: string[]): Promise<number> {
    const { layerSize } = await import('../layerdiff.js');
    return layerSize(this.form, diffDir, parents);
  }

  async mount(req: MountRequest): Promise<void> {
    const n = this.counts.get(req.target) ?? 0;
    if (n === 0) await this.doMount(req);
    this.counts.set(req.target, n + 1);
  }

  async unmount(target: string, force = false): Promise<void> {
    const n = this.counts.get(target) ?? 0;
    if (n > 1 && !force) { this.counts.set(target, n - 1); return; }
    this.counts.delete(target);
    await this.doUnmount(target);
  }

  protected abstract doMount(req: MountRequest): Promise<void>;
  protected abstract doUnmount(target: string): Promise<void>;
  abstract inspectData(layers: string[]): Record<string, string>;
}

/** GraphDriver.Data of the overlay drivers: the top layer as UpperDir, the rest as LowerDir. */
export function overlayInspectData(layers: string[]): Record<string, string> {
  const top = layers[layers.length - 1];
  if (!top) return {};
  const graph: Record<string, string> = { UpperDir: top, WorkDir: path.join(path.dirname(top), 'work') };
  const lowers = layers.slice(0, -1).reverse();
  if (lowers.length) graph.LowerDir = lowers.join(':');
  return graph;
}
