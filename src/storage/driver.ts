// Storage drivers behind one interface (containers/storage's drivers/driver.go in miniature).
// A layer is a directory whose `diff` subdirectory holds the layer's content in the driver's own
// form (./drivers/*.ts say which); a container's writable layer is such a diff dir too. What a
// driver decides: what a new layer dir starts with (createLayer), how a layer tar lands in it
// (applyDiff: OCI whiteouts converted to the driver's), how it reads back as a tar with OCI
// whiteouts (diff) and as a list of changes against its parents (changes), and how a stack of
// layers is mounted into one tree (mount/unmount). Callers use this interface only; one
// conformance suite (test/bats/035-driver-conformance.bats) holds every driver to it.
import type { Readable } from 'node:stream';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import type { ExtractResult } from './extract.js';
import type { Change } from './layerdiff.js';
import { TsmanError } from '../errors.js';

export type { Change } from './layerdiff.js';

export type DriverName = 'overlay' | 'fuse-overlayfs' | 'vfs';

export interface MountRequest {
  /** the image's layers' diff dirs, bottom-most first: the driver takes what it needs of them */
  layers: string[];
  /** writable upper dir and its work dir; absent for a read-only mount of an image */
  upper?: string;
  work?: string;
  target: string;
  readOnly?: boolean;
  /**
   * `volatile` (kernel overlay): no syncs of the upper layer (and none at unmount): for a
   * container that is removed when it exits (`--rm`), as podman does; its data cannot outlive a
   * crash anyway. Left out when the kernel refuses it (before 5.10); other drivers ignore it.
   */
  volatile?: boolean;
  /**
   * Show the ids shifted (uidmapping=/gidmapping= in fuse-overlayfs's syntax, for
   * --userns=keep-id and nomap). Only drivers with `supportsIdMapping` accept it.
   */
  idMapping?: { uid: string; gid: string };
}

export interface ApplyDiffOptions {
  /** true when running inside a user namespace as a non-root host user */
  rootless: boolean;
  warn?: (msg: string) => void;
  /** the algorithm of the diff id to compute */
  digestAlgorithm?: 'sha256' | 'sha384' | 'sha512';
  /** carry on when lchown fails with EPERM/EINVAL (tests as non-root without a userns) */
  ignoreChownErrors?: boolean;
}

export interface Driver {
  readonly name: DriverName;
  /**
   * Whether a layer can be made while its parent is still being made (overlay: a diff dir starts
   * empty); false when createLayer needs the parent complete (vfs copies it).
   */
  readonly layersIndependent: boolean;
  /** Whether mount honours `idMapping`. */
  readonly supportsIdMapping: boolean;
  /** Fill a fresh, empty diff dir for a layer on top of `parent` (vfs: a full copy of it). */
  createLayer(diffDir: string, parent: string | undefined): Promise<void>;
  /** Remove a layer's directory (the layer dir holding `diff`) and everything in it. */
  removeLayer(layerDir: string): Promise<void>;
  /** Extract a layer tar into a diff dir made by createLayer, whiteouts in the driver's form. */
  applyDiff(diffDir: string, tar: Readable, opts: ApplyDiffOptions): Promise<ExtractResult>;
  /** The layer as a tar stream with OCI whiteouts, against its parents (diff dirs, bottom first). */
  diff(diffDir: string, parents: string[]): Readable;
  /** What the layer adds, changes and deletes against its parents (diff dirs, bottom first). */
  changes(diffDir: string, parents: string[]): Promise<Change[]>;
  /** Bytes of file data the layer adds or changes against its parents. */
  size(diffDir: string, parents: string[]): Promise<number>;
  /**
   * Mount a stack at `target`. Counted: a second mount of a target by this process only counts,
   * and unmount takes the mount away when the count falls to zero (or with `force`). Across
   * processes, callers look at /proc/self/mountinfo (isMountPoint), as before.
   */
  mount(req: MountRequest): Promise<void>;
  unmount(target: string, force?: boolean): Promise<void>;
  /** GraphDriver.Data of `image inspect` for an image's layers (diff dirs, bottom first). */
  inspectData(layers: string[]): Record<string, string>;
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

function kernelAtLeast(major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(os.release());
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
}

/**
 * Pick the driver: the configured one, else what podman would pick here: kernel overlay (rootless
 * needs Linux >= 5.11 for overlay in a user namespace), else fuse-overlayfs, else vfs.
 */
export async function createDriver(name: string | undefined, rootless: boolean, mountProgram?: string): Promise<Driver> {
  let chosen = name && name !== '' ? name : undefined;
  if (chosen === 'overlay' && mountProgram) chosen = 'fuse-overlayfs';
  if (!chosen) {
    if (!rootless || kernelAtLeast(5, 11)) chosen = 'overlay';
    else chosen = (await findFuseOverlayfs(mountProgram)) ? 'fuse-overlayfs' : 'vfs';
  }
  switch (chosen) {
    case 'vfs': {
      const { VfsDriver } = await import('./drivers/vfs.js');
      return new VfsDriver();
    }
    case 'overlay':
    case 'overlay2': {
      const { OverlayDriver } = await import('./drivers/overlay.js');
      return new OverlayDriver(rootless);
    }
    case 'fuse-overlayfs': {
      const prog = await findFuseOverlayfs(mountProgram);
      if (!prog) throw new TsmanError('ESTORAGE', 'driver "fuse-overlayfs": fuse-overlayfs not found', { hint: 'apt-get install fuse-overlayfs' });
      const { FuseOverlayDriver } = await import('./drivers/fuseoverlay.js');
      return new FuseOverlayDriver(prog);
    }
    default:
      throw new TsmanError('ESTORAGE', `unknown storage driver "${chosen}": supported drivers are overlay, fuse-overlayfs and vfs`);
  }
}
