// --userns=nomap: where the container's root can reach its files. Its user namespace leaves the
// user's own id out, so the container's root has no rights on the user's 0700 directories: the
// graph and run roots that hold the rootfs mount and the userdata files (hosts, resolv.conf...)
// are closed to it, and the runtime's mounts happen as that root. The rootfs and the userdata
// directory are bind-mounted, inside tsman's mount namespace only, under a directory the user owns
// with mode 0711 in /dev/shm (or /tmp): traversable, not listable, and empty to everyone outside
// the namespace.
import { lstatSync, mkdirSync, chmodSync, rmdirSync } from 'node:fs';
import * as path from 'node:path';
import { TsmanError } from '../errors.js';
import { mount, umount2, MS_BIND, MS_REC, MNT_DETACH } from '../util/libc.js';
import { isMountPoint } from '../util/mountinfo.js';
import { hostIds } from './index.js';

export interface Stage { dir: string; rootfs: string; userdata: string }

function base(): string {
  const { uid } = hostIds();
  let parent = '/dev/shm';
  try { if (!lstatSync(parent).isDirectory()) parent = '/tmp'; } catch { parent = '/tmp'; }
  return path.join(parent, `tsman-userns-${uid}`);
}

export function stageOf(id: string): Stage {
  const dir = path.join(base(), id);
  return { dir, rootfs: path.join(dir, 'rootfs'), userdata: path.join(dir, 'userdata') };
}

/** Bind the container's rootfs and userdata where its root can reach them; returns the paths. */
export function stageContainer(id: string, merged: string, userdata: string): Stage {
  const b = base();
  try {
    mkdirSync(b, { mode: 0o711 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = lstatSync(b);
  // a directory someone else made in a world-writable place is not ours to use
  if (!st.isDirectory() || st.uid !== process.getuid!()) {
    throw new TsmanError('EUSERNS', `nomap: ${b} is not a directory of this user's: remove it`);
  }
  chmodSync(b, 0o711);
  const s = stageOf(id);
  mkdirSync(s.rootfs, { recursive: true, mode: 0o711 });
  mkdirSync(s.userdata, { recursive: true, mode: 0o711 });
  chmodSync(s.dir, 0o711);
  // the files in it are 0644; the directory must let the container's root through
  chmodSync(userdata, 0o711);
  if (!isMountPoint(s.rootfs)) mount(merged, s.rootfs, null, MS_BIND | MS_REC, null);
  if (!isMountPoint(s.userdata)) mount(userdata, s.userdata, null, MS_BIND, null);
  return s;
}

/** Undo stageContainer (nothing when the container has no stage). */
export function unstageContainer(id: string): void {
  const s = stageOf(id);
  try { lstatSync(s.dir); } catch { return; }
  for (const m of [s.userdata, s.rootfs]) {
    if (isMountPoint(m)) umount2(m, MNT_DETACH);
  }
  for (const d of [s.userdata, s.rootfs]) { try { rmdirSync(d); } catch { /* busy: left for the next cleanup */ } }
  try { rmdirSync(s.dir); } catch { /* not empty */ }
}
