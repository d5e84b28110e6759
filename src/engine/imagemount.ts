// Read-only mounts of an image's layer stack, shared by `image mount` and the driver test suite.
// Mount points live under the run root (volatile): <runroot>/tsman/image-mounts/<image id>.
import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import type { Engine } from './index.js';
import { mustFindImage } from './lookup.js';
import { mkdirp } from '../util/fsutil.js';
import { TsmanError } from '../errors.js';
import { isMountPoint } from '../util/mountinfo.js';

function mountRoot(engine: Engine): string {
  return path.join(engine.store.runDir, 'image-mounts');
}

/** moved down to util/ (userns needs it too); re-exported for the engine callers */
export { isMountPoint };

export async function mountImage(engine: Engine, name: string): Promise<string> {
  const img = mustFindImage(engine.store.read(), name);
  return mountImageAt(engine, name, path.join(mountRoot(engine), img.id));
}

/**
 * The image's layers mounted read-only at `target` (kept if already mounted there). A container's
 * `--mount type=image` gets a mount point of its own, unmounted with its rootfs, so neither it nor
 * `image mount`/`image unmount` can take the other's mount away.
 */
export async function mountImageAt(engine: Engine, name: string, target: string): Promise<string> {
  const img = mustFindImage(engine.store.read(), name);
  if (isMountPoint(target)) return target;
  await mkdirp(target, 0o700);
  const drv = engine.store.driver;
  const layers = img.layers.map((l) => engine.store.diffDir(l));
  if (layers.length === 0) throw new TsmanError('ESTORAGE', `image ${img.id} has no layers`);
  await drv.mount({ layers, target, readOnly: true });
  return target;
}

export async function unmountImage(engine: Engine, name: string): Promise<string> {
  const img = mustFindImage(engine.store.read(), name);
  const target = path.join(mountRoot(engine), img.id);
  if (isMountPoint(target)) await engine.store.driver.unmount(target);
  await fsp.rmdir(target).catch(() => undefined);
  return img.id;
}

export async function listImageMounts(engine: Engine): Promise<Array<{ id: string; names: string[]; path: string }>> {
  const state = engine.store.read();
  const out = [];
  for (const img of state.images) {
    const p = path.join(mountRoot(engine), img.id);
    if (isMountPoint(p)) out.push({ id: img.id, names: img.names, path: p });
  }
  return out;
}
