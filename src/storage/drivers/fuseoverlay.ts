// fuse-overlayfs: layers hold only their own changes, whiteouts in OCI form (an empty `.wh.NAME`
// file, an empty `.wh..wh..opq` file), which fuse-overlayfs reads in lower dirs and anyone can
// create on any file system (src/storage/extract.ts); a stack is mounted by the fuse-overlayfs
// program, which can also show the ids shifted (uidmapping=/gidmapping=).
import { umount2, MNT_DETACH } from '../../util/libc.js';
import type { MountRequest } from './types.js';
import type { WhiteoutMode } from '../extract.js';
import { BaseDriver, escapeOverlay, overlayInspectData, run } from './common.js';

export class FuseOverlayDriver extends BaseDriver {
  readonly name = 'fuse-overlayfs' as const;
  readonly whiteoutMode: WhiteoutMode = 'fuse';
  readonly layersIndependent = true;
  readonly supportsIdMapping = true;
  constructor(private readonly program: string) { super(); }

  protected async doMount(req: MountRequest): Promise<void> {
    await mountFuseOverlay(this.program, [...req.layers].reverse(), req);
  }

  protected async doUnmount(target: string): Promise<void> {
    await unmountFuseOverlay(target);
  }

  inspectData(layers: string[]): Record<string, string> {
    return overlayInspectData(layers);
  }
}

/** Mount `lowers` (top-most first) with fuse-overlayfs as `req` says. */
export async function mountFuseOverlay(program: string, lowers: string[], req: MountRequest): Promise<void> {
  let opts = `lowerdir=${lowers.map(escapeOverlay).join(':')}`;
  if (req.upper) opts += `,upperdir=${escapeOverlay(req.upper)},workdir=${escapeOverlay(req.work!)}`;
  if (req.readOnly) opts += ',ro';
  if (req.idMapping) opts += `,uidmapping=${req.idMapping.uid},gidmapping=${req.idMapping.gid}`;
  await run(program, ['-o', opts, req.target]);
}

export async function unmountFuseOverlay(target: string): Promise<void> {
  try {
    await run('fusermount3', ['-u', '-z', target]);
  } catch {
    umount2(target, MNT_DETACH);
  }
}
