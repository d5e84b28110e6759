// Storage drivers behind one interface (containers/storage's drivers/driver.go in miniature).
// A layer is a directory whose `diff` subdirectory holds the layer's content in the driver's own
// form (./drivers/*.ts say which); a container's writable layer is such a diff dir too. What a
// driver decides: what a new layer dir starts with (createLayer), how a layer tar lands in it
// (applyDiff: OCI whiteouts converted to the driver's), how it reads back as a tar with OCI
// whiteouts (diff) and as a list of changes against its parents (changes), and how a stack of
// layers is mounted into one tree (mount/unmount). Callers use this interface only; one
// conformance suite (test/bats/035-driver-conformance.bats) holds every driver to it.
import * as os from 'node:os';
import { TsmanError } from '../errors.js';
import { findFuseOverlayfs } from './drivers/common.js';
import type { Driver } from './drivers/types.js';

export type { Change, Driver, DriverName, MountRequest, ApplyDiffOptions } from './drivers/types.js';
export { findFuseOverlayfs };

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
