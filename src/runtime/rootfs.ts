// Keeping the runtime inside the container's root. An image is hostile input: its /dev, /etc/hosts,
// a volume's target or the working directory may be a symlink to an absolute host path or up
// through `../`. The runtime does its mounts and creates its nodes *before* it enters the root,
// in a mount namespace that still sees the host's files, so every path it is given must already
// be free of symlinks inside the rootfs:
//  - /proc, /sys and /dev get kernel file systems, and runc 1.1 then creates /dev/ptmx, /dev/fd and
//    /dev/std* by plain path join: a symlinked /dev made it create them in the host directory the
//    link named. These three must be real directories of the rootfs; tsman replaces anything else
//    in the container's own writable layer (refuses, for a --rootfs directory that is the user's).
//  - every other mount destination is resolved inside the rootfs (symlinks followed with the
//    rootfs as "/", `..` stopping at it: what filepath-securejoin does) and given to the runtime
//    in that resolved form, so a symlinked /etc/resolv.conf (common: -> /run/systemd/resolve/...)
//    still gets its file, at the place the container's own link points to.
//  - the working directory is made the same way, as podman does (resolveWorkDir).
import { lstatSync, mkdirSync, unlinkSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { secureJoinSync as secureJoin } from './users.js';
import { TsmanError, errnoCode } from '../errors.js';

/** Mount points of kernel file systems, in the spec's form. */
const KERNEL_DIRS: readonly [string, number][] = [['/proc', 0o555], ['/sys', 0o555], ['/dev', 0o755]];

/** True when `dest` lies on or below one of the kernel mounts (a fresh file system at run time). */
function underKernelMount(dest: string): boolean {
  return KERNEL_DIRS.some(([d]) => dest === d || dest.startsWith(`${d}/`));
}

/**
 * /proc, /sys and /dev of `rootfs` made real directories. `replace`: a symlink or other non-directory
 * there is removed and a directory made in its place (tsman's own writable layer); otherwise refused.
 */
export function ensureKernelDirs(rootfs: string, replace: boolean): void {
  for (const [dir, mode] of KERNEL_DIRS) {
    const p = path.join(rootfs, dir);
    let st;
    try { st = lstatSync(p); } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue; // the runtime creates it, as a plain directory
      throw err;
    }
    if (st.isDirectory()) continue;
    const what = st.isSymbolicLink() ? 'a symbolic link' : 'not a directory';
    if (!replace) {
      throw new TsmanError('EUNSAFE', `rootfs ${rootfs}: ${dir} is ${what}: the runtime would create its files through it, outside the root`);
    }
    unlinkSync(p);
    mkdirSync(p, mode);
  }
}

export interface DestMount { destination: string }

/**
 * Each mount's destination resolved inside `rootfs` (in place). Destinations on the kernel mounts are
 * left alone: they lie in file systems the runtime has just mounted, not in the image.
 */
export function confineDestinations<M extends DestMount>(rootfs: string, mounts: M[]): M[] {
  for (const m of mounts) {
    const dest = path.posix.normalize(m.destination);
    if (!dest.startsWith('/')) throw new TsmanError('EUSAGE', `invalid container path "${m.destination}", must be an absolute path`);
    if (underKernelMount(dest)) continue;
    const resolved = secureJoin(rootfs, dest);
    const inRoot = `/${path.relative(rootfs, resolved)}`;
    // a destination that resolves onto a kernel mount (a link to /proc/...) would land on the
    // runtime's own file systems: not the image's to decide
    if (inRoot !== dest && underKernelMount(inRoot)) {
      throw new TsmanError('EUNSAFE', `mount destination ${dest} is a symbolic link into ${inRoot} of the container: refused`);
    }
    m.destination = inRoot === '/' ? '/' : inRoot;
  }
  return mounts;
}

/**
 * The working directory, created inside the rootfs when missing (podman: when it comes from the
 * image; an explicit --workdir must exist, exit 126). A directory on a mount is the runtime's.
 */
export function ensureWorkdir(rootfs: string, workdir: string, opts: { create: boolean; containerId: string; mountDests: readonly string[] }): void {
  const wd = path.posix.normalize(workdir || '/');
  if (wd === '/') return;
  if (opts.mountDests.some((d) => wd === d || wd.startsWith(d === '/' ? '/' : `${d}/`))) return;
  if (underKernelMount(wd)) return;
  const resolved = secureJoin(rootfs, wd);
  let st;
  try { st = statSync(resolved); } catch { st = undefined; }
  if (st) {
    if (!st.isDirectory()) throw new TsmanError('EGENERIC', `workdir "${wd}" exists on container ${opts.containerId}, but is not a directory`, { exitCode: 126 });
    return;
  }
  if (!opts.create) throw new TsmanError('EGENERIC', `workdir "${wd}" does not exist on container ${opts.containerId}`, { exitCode: 126 });
  // every existing component of `resolved` is a real directory (secureJoin followed the links), so
  // this only adds the missing ones, inside the root
  mkdirSync(resolved, { recursive: true, mode: 0o755 });
}
