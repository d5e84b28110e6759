// -v, --mount, --volumes-from and image VOLUMEs → MountSpec at create; MountSpec → runtime-spec
// mounts at start (with volume copy-up, U chown and O overlays).
import { promises as fsp, existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { childProcess } from '../../util/builtin.js';
import type { Engine } from '../index.js';
import type { ContainerRecord, MountSpec } from './types.js';
import { TsmanError } from '../../errors.js';
import { mustFindContainer } from './lookup.js';
import { ContainerPaths } from './paths.js';
import { mkdirp } from '../../util/fsutil.js';

const VOLUME_OPTS = new Set(['ro', 'rw', 'z', 'Z', 'U', 'O', 'idmap', 'nocopy', 'copy', 'suid', 'nosuid', 'exec', 'noexec',
  'dev', 'nodev', 'bind', 'rbind', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'unbindable', 'runbindable', 'delegated', 'cached', 'consistent']);

function checkDest(dest: string): void {
  if (!dest.startsWith('/')) throw new TsmanError('EUSAGE', `invalid container path "${dest}", must be an absolute path`);
}

function checkOpts(opts: string[], spec: string): void {
  for (const o of opts) {
    if (!VOLUME_OPTS.has(o)) throw new TsmanError('EUSAGE', `invalid option type: "${o}" in volume "${spec}"`);
  }
  if (opts.includes('ro') && opts.includes('rw')) throw new TsmanError('EUSAGE', `cannot set ro and rw options together: "${spec}"`);
  if (opts.includes('idmap')) throw new TsmanError('EUNSUPPORTED', `the idmap volume option is not supported here: "${spec}": it needs idmapped mounts from the OCI runtime (runc 1.2+ or crun; this host has runc 1.1 and hybrid cgroups crun refuses)`);
}

/** `-v SRC:DEST[:OPTS]`, `-v DEST` (anonymous), relative host paths resolved against cwd. */
export function parseVolumeFlag(spec: string): MountSpec {
  const parts = spec.split(':');
  if (parts.length === 1) {
    checkDest(parts[0]!);
    return { type: 'volume', source: '', destination: path.posix.normalize(parts[0]!), options: [], anonymous: true };
  }
  if (parts.length > 3 || parts[0] === '') throw new TsmanError('EUSAGE', `incorrect volume format "${spec}", should be [host-dir:]ctr-dir[:option]`);
  let [src, dest, optStr] = parts as [string, string, string | undefined];
  if (parts.length === 2 && src.startsWith('/') && dest.split(',').every((o) => VOLUME_OPTS.has(o))) {
    // `-v /ctr:ro` — an anonymous volume with options (podman tries the options reading first)
    optStr = dest; dest = src; src = '';
  }
  checkDest(dest);
  const options = optStr ? optStr.split(',').filter(Boolean) : [];
  checkOpts(options, spec);
  if (src === '') return { type: 'volume', source: '', destination: path.posix.normalize(dest), options, anonymous: true };
  if (src.startsWith('/') || src.startsWith('.')) {
    const abs = path.resolve(src);
    if (!existsSync(abs)) throw new TsmanError('EUSAGE', `statfs ${abs}: no such file or directory`);
    return { type: 'bind', source: abs, destination: path.posix.normalize(dest), options };
  }
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(src)) throw new TsmanError('EUSAGE', `invalid volume name "${src}"`);
  return { type: 'volume', source: src, destination: path.posix.normalize(dest), options };
}

/** `--mount type=bind|volume|tmpfs|image|devpts,source=..,target=..,readonly,...` */
export function parseMountFlag(spec: string): MountSpec {
  const kv = new Map<string, string>();
  for (const part of spec.split(',')) {
    const i = part.indexOf('=');
    kv.set(i < 0 ? part : part.slice(0, i), i < 0 ? 'true' : part.slice(i + 1));
  }
  const type = kv.get('type');
  const dest = kv.get('target') ?? kv.get('destination') ?? kv.get('dst');
  if (!type) throw new TsmanError('EUSAGE', `--mount "${spec}": type must be specified`);
  if (!dest) throw new TsmanError('EUSAGE', `--mount "${spec}": target must be specified`);
  checkDest(dest);
  const src = kv.get('source') ?? kv.get('src') ?? '';
  const options: string[] = [];
  const ro = kv.get('readonly') ?? kv.get('ro');
  if (ro !== undefined && ro !== 'false') options.push('ro');
  if (kv.get('rw') === 'false') options.push('ro');
  for (const k of ['z', 'Z', 'U', 'O', 'nocopy', 'suid', 'nosuid', 'exec', 'noexec', 'dev', 'nodev']) if (kv.has(k) && kv.get(k) !== 'false') options.push(k);
  if (kv.get('volume-nocopy') === 'true') options.push('nocopy');
  const prop = kv.get('bind-propagation');
  if (prop) options.push(prop);
  switch (type) {
    case 'bind': {
      if (!src) throw new TsmanError('EUSAGE', `--mount "${spec}": source must be specified for a bind mount`);
      const abs = path.resolve(src);
      if (!existsSync(abs)) throw new TsmanError('EUSAGE', `statfs ${abs}: no such file or directory`);
      return { type: 'bind', source: abs, destination: dest, options };
    }
    case 'volume':
      return src ? { type: 'volume', source: src, destination: dest, options } : { type: 'volume', source: '', destination: dest, options, anonymous: true };
    case 'tmpfs': {
      const size = kv.get('tmpfs-size');
      const mode = kv.get('tmpfs-mode');
      if (size) options.push(`size=${size}`);
      if (mode) options.push(`mode=${mode}`);
      return { type: 'tmpfs', source: '', destination: dest, options };
    }
    case 'image':
      if (!src) throw new TsmanError('EUSAGE', `--mount "${spec}": source must be specified for an image mount`);
      return { type: 'image', source: src, destination: dest, options: kv.get('rw') === 'true' ? ['rw'] : ['ro'] };
    case 'devpts':
      return { type: 'devpts', source: '', destination: dest, options };
    default:
      throw new TsmanError('EUSAGE', `invalid filesystem type "${type}"`);
  }
}

export interface MountInputs {
  volumes: string[];
  mounts: string[];
  volumesFrom: string[];
  imageVolumes: string[];
}

/** Create-time: every mount of the new container, volumes created as needed. */
export async function resolveMounts(engine: Engine, inp: MountInputs): Promise<MountSpec[]> {
  const out: MountSpec[] = [];
  const add = (m: MountSpec) => {
    const i = out.findIndex((x) => x.destination === m.destination);
    if (i >= 0) throw new TsmanError('EUSAGE', `${m.destination}: duplicate mount destination`);
    out.push(m);
  };
  for (const v of inp.volumes) add(parseVolumeFlag(v));
  for (const m of inp.mounts) add(parseMountFlag(m));
  for (const vf of inp.volumesFrom) {
    const [name, mode] = vf.split(':') as [string, string | undefined];
    if (mode && mode !== 'ro' && mode !== 'rw' && mode !== 'z') throw new TsmanError('EUSAGE', `invalid options "${mode}" in --volumes-from, must be ro or rw`);
    const other = mustFindContainer(engine.store.read(), name);
    for (const m of other.config.mounts ?? []) {
      if (m.type !== 'bind' && m.type !== 'volume') continue;
      if (out.some((x) => x.destination === m.destination)) continue;
      let options = m.options.filter((o) => o !== 'ro' && o !== 'rw');
      if (mode === 'ro' || (!mode && m.options.includes('ro'))) options = [...options, 'ro'];
      out.push({ ...m, options, anonymous: false });
    }
  }
  for (const d of inp.imageVolumes) {
    const dest = path.posix.normalize(d);
    if (!out.some((x) => x.destination === dest)) out.push({ type: 'volume', source: '', destination: dest, options: [], anonymous: true });
  }
  // volumes: anonymous ones get a fresh name; named ones are created when missing (podman does)
  if (!out.some((m) => m.type === 'volume')) return out;
  const vols = await import('../volumes.js');
  for (const m of out) {
    if (m.type !== 'volume') continue;
    if (m.anonymous) {
      const rec = await vols.createVolume(engine, { options: [], labels: [], anonymous: true });
      m.source = rec.name;
    } else {
      await vols.createVolume(engine, { name: m.source, options: [], labels: [], ignoreIfExists: true });
    }
  }
  return out;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = childProcess().spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new TsmanError('EGENERIC', `${cmd}: ${err.trim()}`))));
  });
}

type SpecMount = { destination: string; source: string; type: string; options: string[] };

/** Start-time: the runtime-spec mounts for a container's MountSpecs. */
export async function specMounts(engine: Engine, c: ContainerRecord, rootfs: string, user: { uid: number; gid: number }): Promise<SpecMount[]> {
  const out: SpecMount[] = [];
  const p = new ContainerPaths(engine.store, c.id);
  const flags = (o: string[]) => o.filter((x) => ['ro', 'suid', 'nosuid', 'exec', 'noexec', 'dev', 'nodev'].includes(x));
  const prop = (o: string[]) => o.find((x) => /^r?(shared|slave|private|unbindable)$/.test(x)) ?? 'rprivate';
  for (const [i, m] of (c.config.mounts ?? []).entries()) {
    switch (m.type) {
      case 'bind':
      case 'volume': {
        let src = m.source;
        if (m.type === 'volume') {
          const vols = await import('../volumes.js');
          const rec = await vols.getVolume(engine, m.source);
          const special = vols.volumeMountOptions(rec);
          if (special) {
            out.push({ destination: m.destination, source: special.source, type: special.type, options: [...special.options, ...flags(m.options)] });
            continue;
          }
          src = vols.volumeMountpoint(engine, m.source);
          if (rec.needsCopyUp && !m.options.includes('nocopy')) {
            await copyUp(rootfs, m.destination, src);
            await vols.markCopiedUp(engine, m.source);
          }
        }
        if (m.options.includes('U')) await run('chown', ['-R', `${user.uid}:${user.gid}`, src]);
        if (m.options.includes('O')) {
          const upper = path.join(p.userdata, 'overlay', String(i), 'upper');
          const work = path.join(p.userdata, 'overlay', String(i), 'work');
          await mkdirp(upper, 0o755);
          await mkdirp(work, 0o700);
          const opts = [`lowerdir=${src}`, `upperdir=${upper}`, `workdir=${work}`, ...(engine.rootless ? ['userxattr'] : [])];
          out.push({ destination: m.destination, source: 'overlay', type: 'overlay', options: opts });
          continue;
        }
        const ro = m.options.includes('ro');
        out.push({ destination: m.destination, source: src, type: 'bind', options: ['rbind', prop(m.options), ro ? 'ro' : 'rw', ...flags(m.options).filter((x) => x !== 'ro')] });
        break;
      }
      case 'tmpfs':
        out.push({ destination: m.destination, source: 'tmpfs', type: 'tmpfs', options: ['rw', 'nosuid', 'nodev', ...m.options.filter((o) => o !== 'rw')] });
        break;
      case 'image': {
        const { mountImageAt } = await import('../imagemount.js');
        const src = await mountImageAt(engine, m.source, imageMountPoint(p, i));
        out.push({ destination: m.destination, source: src, type: 'bind', options: ['rbind', 'rprivate', 'ro'] });
        break;
      }
      case 'devpts':
        out.push({ destination: m.destination, source: 'devpts', type: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=620', ...m.options] });
        break;
    }
  }
  return out;
}

/** A new, empty volume gets the image's content at its mount point (docker and podman do this). */
async function copyUp(rootfs: string, dest: string, volumeDir: string): Promise<void> {
  const { secureJoin } = await import('../../runtime/users.js');
  const from = await secureJoin(rootfs, dest);
  let st;
  try { st = statSync(from); } catch { return; }
  if (!st.isDirectory()) return;
  if ((await fsp.readdir(volumeDir)).length > 0) return;
  if ((await fsp.readdir(from)).length === 0) return;
  await run('cp', ['-a', `${from}/.`, volumeDir]);
  // the volume root takes the image directory's owner and mode
  await fsp.chown(volumeDir, st.uid, st.gid).catch(() => undefined);
  await fsp.chmod(volumeDir, st.mode & 0o7777).catch(() => undefined);
}

/** Where a container's i-th mount, an image, is mounted: in its run directory, gone with it. */
export function imageMountPoint(p: ContainerPaths, i: number): string {
  return path.join(p.runDir, 'image-mounts', String(i));
}
