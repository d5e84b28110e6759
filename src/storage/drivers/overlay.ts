// Kernel overlayfs: layers hold only their own changes, whiteouts in the kernel's form (a 0:0
// character device; an opaque directory has trusted.overlay.opaque=y, or user.overlay.opaque=y
// for a rootless mount with `userxattr`); a stack is one overlay mount.
//
// The kernel never looks at the opaque mark on a lower layer's own root (it only checks it on
// directories it looks up, and the root is not looked up), so a layer whose tar has
// `.wh..wh..opq` at its root (it replaces everything below it) would let its parents show
// through. Such a layer is the bottom of what is mounted: the layers below it are left out.
import { TsmanError } from '../../errors.js';
import type { MountRequest } from './types.js';
import { mount, umount2, lgetxattr, MS_BIND, MS_RDONLY, MNT_DETACH } from '../../util/libc.js';
import type { WhiteoutMode } from '../extract.js';
import { BaseDriver, escapeOverlay, findFuseOverlayfs, overlayInspectData } from './common.js';

const MS_REMOUNT = 0x20;

export class OverlayDriver extends BaseDriver {
  readonly name = 'overlay' as const;
  readonly layersIndependent = true;
  /** through fuse-overlayfs, which reads the kernel's whiteout form too */
  readonly supportsIdMapping = true;
  readonly whiteoutMode: WhiteoutMode;
  /** fuse-overlayfs mounts the ones that show ids shifted (found when first needed) */
  private fuse: string | undefined;

  constructor(private readonly rootless: boolean) {
    super();
    this.whiteoutMode = rootless ? 'overlay-userxattr' : 'overlay';
  }

  /** The layers to stack, top-most first: down to the first one whose root is opaque. */
  private lowers(layers: string[]): string[] {
    const key = this.rootless ? 'user.overlay.opaque' : 'trusted.overlay.opaque';
    const out: string[] = [];
    for (let i = layers.length - 1; i >= 0; i--) {
      out.push(layers[i]!);
      if (i > 0 && lgetxattr(layers[i]!, key)?.toString() === 'y') break;
    }
    return out;
  }

  protected async doMount(req: MountRequest): Promise<void> {
    const lowers = this.lowers(req.layers);
    if (req.idMapping) {
      // the kernel cannot shift ids on these kernels' overlay mounts: fuse-overlayfs shows the
      // same layers shifted
      this.fuse ??= await findFuseOverlayfs();
      if (!this.fuse) throw new TsmanError('ESTORAGE', 'driver "fuse-overlayfs": fuse-overlayfs not found', { hint: 'apt-get install fuse-overlayfs' });
      const { mountFuseOverlay } = await import('./fuseoverlay.js');
      await mountFuseOverlay(this.fuse, lowers, req);
      return;
    }
    if (!req.upper && lowers.length === 1) {
      // overlayfs needs two lowers without an upper: a single read-only layer is a bind mount
      mount(lowers[0]!, req.target, null, MS_BIND, null);
      mount(lowers[0]!, req.target, null, MS_BIND | MS_REMOUNT | MS_RDONLY, null);
      return;
    }
    let data = `lowerdir=${lowers.map(escapeOverlay).join(':')}`;
    if (req.upper) data += `,upperdir=${escapeOverlay(req.upper)},workdir=${escapeOverlay(req.work!)}`;
    if (this.rootless) data += ',userxattr';
    if (data.length > 4095 - ',volatile'.length) { // mount(2) data is one page
      throw new TsmanError('ESTORAGE', 'overlay mount: too many layers for one mount');
    }
    if (req.volatile && req.upper) {
      try {
        mount('overlay', req.target, 'overlay', req.readOnly ? MS_RDONLY : 0, `${data},volatile`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EINVAL') throw err;
      }
    }
    mount('overlay', req.target, 'overlay', req.readOnly ? MS_RDONLY : 0, data);
  }

  protected async doUnmount(target: string): Promise<void> {
    // a fuse-overlayfs mount (idMapping) too: detached, its program ends with its last user
    umount2(target, MNT_DETACH);
  }

  inspectData(layers: string[]): Record<string, string> {
    return overlayInspectData(layers);
  }
}
