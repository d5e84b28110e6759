// Storage drivers behind one interface (containers/storage's drivers/driver.go in miniature).
// A layer is a directory `layers/<id>/diff`; what a driver decides is (a) how whiteouts are
// written into it when the layer is extracted, (b) what a new layer dir starts with, and (c) how
// a stack of layers is mounted into one tree.
import { builtin } from '../util/builtin.js';
// loaded when first used: child_process (and net, which it loads) cost ~1-2 ms of every start
const childProcess = () => builtin<typeof import('node:child_process')>('node:child_process');
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import type { WhiteoutMode } from './extract.js';
import { TsmanError } from '../errors.js';
import { mount, umount2, MS_BIND, MS_RDONLY, MNT_DETACH } from '../util/libc.js';

export type DriverName = 'overlay' | 'fuse-overlayfs' | 'vfs';

export interface MountRequest {
  /** lower layer diff dirs, top-most first */
  lowers: string[];
  /** writable upper dir and its work dir; absent for a read-only mount of an image */
  upper?: string;
  work?: string;
  target: string;
  readOnly?: boolean;
  /**
   * kernel overlay only: `volatile`, no syncs of the upper layer (and none at unmount): for a
   * container that is removed when it exits (`--rm`), as podman does; its data cannot outlive a crash
   * anyway. Left out when the kernel refuses it (before 5.10).
   */
  volatile?: boolean;
  /** fuse-overlayfs only: show the ids shifted (uidmapping=/gidmapping=, for --userns=keep-id) */
  uidMapping?: string;
  gidMapping?: string;
}

export interface Driver {
  readonly name: DriverName;
  readonly whiteoutMode: WhiteoutMode;
  /** Fill a fresh layer dir before its diff is applied (vfs: a full copy of the parent). */
  prepareLayer(diffDir: string, parentDiffDir: string | undefined): Promise<void>;
  /** Whether `lowers` must be the full chain (overlay) or only the top layer (vfs). */
  readonly stacksLayers: boolean;
  mount(req: MountRequest): Promise<void>;
  unmount(target: string): Promise<void>;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = childProcess().spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('error', (e) => reject(new TsmanError('ESTORAGE', `${cmd}: ${e.message}`)));
    p.on('close', (code) => code === 0 ? resolve() : reject(new TsmanError('ESTORAGE', `${cmd} ${args.join(' ')}: ${err.trim() || `exit status ${code}`}`)));
  });
}

class VfsDriver implements Driver {
  readonly name = 'vfs' as const;
  readonly whiteoutMode: WhiteoutMode = 'vfs';
  readonly stacksLayers = false;
  async prepareLayer(diffDir: string, parent: string | undefined): Promise<void> {
    // cp -a keeps owners, modes, xattrs, hardlinks and device nodes; reflinks where the fs can.
    if (parent) await run('cp', ['-a', '--reflink=auto', `${parent}/.`, diffDir]);
  }
  async mount(req: MountRequest): Promise<void> {
    const src = req.upper ?? req.lowers[0];
    if (!src) throw new TsmanError('ESTORAGE', 'vfs mount: no layer given');
    mount(src, req.target, null, MS_BIND, null);
    if (req.readOnly) mount(src, req.target, null, MS_BIND | 0x20 /* MS_REMOUNT */ | MS_RDONLY, null);
  }
  async unmount(target: string): Promise<void> {
    umount2(target, MNT_DETACH);
  }
}

class OverlayDriver implements Driver {
  readonly name = 'overlay' as const;
  readonly stacksLayers = true;
  readonly whiteoutMode: WhiteoutMode;
  constructor(private readonly rootless: boolean) {
    this.whiteoutMode = rootless ? 'overlay-userxattr' : 'overlay';
  }
  async prepareLayer(): Promise<void> { /* a diff dir starts empty */ }
  async mount(req: MountRequest): Promise<void> {
    if (!req.upper && req.lowers.length === 1) {
      // overlayfs needs two lowers without an upper: a single read-only layer is a bind mount
      mount(req.lowers[0]!, req.target, null, MS_BIND, null);
      mount(req.lowers[0]!, req.target, null, MS_BIND | 0x20 | MS_RDONLY, null);
      return;
    }
    let data = `lowerdir=${req.lowers.map(escapeOverlay).join(':')}`;
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
  async unmount(target: string): Promise<void> {
    umount2(target, MNT_DETACH);
  }
}

class FuseOverlayDriver implements Driver {
  readonly name = 'fuse-overlayfs' as const;
  readonly whiteoutMode: WhiteoutMode = 'fuse';
  readonly stacksLayers = true;
  constructor(private readonly program: string) {}
  async prepareLayer(): Promise<void> { /* a diff dir starts empty */ }
  async mount(req: MountRequest): Promise<void> {
    let opts = `lowerdir=${req.lowers.map(escapeOverlay).join(':')}`;
    if (req.upper) opts += `,upperdir=${escapeOverlay(req.upper)},workdir=${escapeOverlay(req.work!)}`;
    if (req.readOnly) opts += ',ro';
    if (req.uidMapping) opts += `,uidmapping=${req.uidMapping},gidmapping=${req.gidMapping ?? req.uidMapping}`;
    await run(this.program, ['-o', opts, req.target]);
  }
  async unmount(target: string): Promise<void> {
    try {
      await run('fusermount3', ['-u', '-z', target]);
    } catch {
      umount2(target, MNT_DETACH);
    }
  }
}

function escapeOverlay(p: string): string {
  return p.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/,/g, '\\,');
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
    case 'vfs': return new VfsDriver();
    case 'overlay':
    case 'overlay2': return new OverlayDriver(rootless);
    case 'fuse-overlayfs': {
      const prog = await findFuseOverlayfs(mountProgram);
      if (!prog) throw new TsmanError('ESTORAGE', 'driver "fuse-overlayfs": fuse-overlayfs not found', { hint: 'apt-get install fuse-overlayfs' });
      return new FuseOverlayDriver(prog);
    }
    default:
      throw new TsmanError('ESTORAGE', `unknown storage driver "${chosen}": supported drivers are overlay, fuse-overlayfs and vfs`);
  }
}
