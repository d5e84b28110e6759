// The storage driver interface (containers/storage's drivers/driver.go in miniature); what it
// means is written in ../driver.ts, which picks a driver. Kept apart so that the drivers can
// name it without importing the module that imports them.
import type { Readable } from 'node:stream';
import type { ExtractResult } from '../extract.js';
import type { Change } from '../layerdiff.js';

export type { Change } from '../layerdiff.js';

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
