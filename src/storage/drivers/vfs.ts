// vfs: every layer is a full copy of its parent with the layer's changes applied (whiteouts
// applied as deletions), a container's writable layer a full copy of its image's top layer; a
// mount is a bind mount of the one directory. Slow to create, but works on any file system.
import { TsmanError } from '../../errors.js';
import { mount, umount2, MS_BIND, MS_RDONLY, MNT_DETACH } from '../../util/libc.js';
import type { MountRequest } from './types.js';
import type { WhiteoutMode } from '../extract.js';
import { BaseDriver, run } from './common.js';

const MS_REMOUNT = 0x20;

export class VfsDriver extends BaseDriver {
  readonly name = 'vfs' as const;
  readonly whiteoutMode: WhiteoutMode = 'vfs';
  readonly layersIndependent = false;
  readonly supportsIdMapping = false;

  override async createLayer(diffDir: string, parent: string | undefined): Promise<void> {
    // cp -a keeps owners, modes, xattrs, hardlinks and device nodes; reflinks where the fs can.
    if (parent) await run('cp', ['-a', '--reflink=auto', `${parent}/.`, diffDir]);
  }

  protected async doMount(req: MountRequest): Promise<void> {
    if (req.idMapping) throw new TsmanError('EUNSUPPORTED', 'the vfs storage driver cannot show a layer with shifted ids');
    const src = req.upper ?? req.layers[req.layers.length - 1];
    if (!src) throw new TsmanError('ESTORAGE', 'vfs mount: no layer given');
    mount(src, req.target, null, MS_BIND, null);
    if (req.readOnly) mount(src, req.target, null, MS_BIND | MS_REMOUNT | MS_RDONLY, null);
  }

  protected async doUnmount(target: string): Promise<void> {
    umount2(target, MNT_DETACH);
  }

  inspectData(layers: string[]): Record<string, string> {
    const top = layers[layers.length - 1];
    return top ? { Dir: top } : {};
  }
}
