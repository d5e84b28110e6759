// `diff`: the writable layer's changes against the image.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../index.js';
import { mustFindContainer } from './lookup.js';
import { ContainerPaths } from './paths.js';

const MOUNT_POINTS = new Set(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/run/.containerenv', '/run/podman-init']);

/** Changes of the writable layer against the image: A added, C changed, D deleted. */
export async function diffContainer(engine: Engine, name: string): Promise<Array<{ kind: 'A' | 'C' | 'D'; path: string }>> {
  const c = mustFindContainer(engine.store.read(), name);
  const img = engine.store.read().images.find((i) => i.id === c.imageId);
  const lowers = img ? [...img.layers].reverse().map((l) => engine.store.diffDir(l)) : [];
  const upper = new ContainerPaths(engine.store, c.id).diff;
  const out: Array<{ kind: 'A' | 'C' | 'D'; path: string }> = [];
  const inLower = async (rel: string): Promise<boolean> => {
    for (const l of lowers) {
      try { await fsp.lstat(path.join(l, rel)); return true; } catch { /* next */ }
    }
    return false;
  };
  const walk = async (rel: string): Promise<void> => {
    const dir = path.join(upper, rel);
    for (const ent of await fsp.readdir(dir, { withFileTypes: true })) {
      const r = path.join(rel, ent.name);
      const abs = '/' + r;
      const full = path.join(upper, r);
      if (ent.name.startsWith('.wh.')) {
        out.push({ kind: 'D', path: '/' + path.join(rel, ent.name.slice(4)) });
        continue;
      }
      if (ent.isCharacterDevice()) {
        const st = await fsp.lstat(full);
        if (st.rdev === 0) { out.push({ kind: 'D', path: abs }); continue; }
      }
      if (MOUNT_POINTS.has(abs) && (await fsp.lstat(full)).size === 0) continue;
      const existed = await inLower(r);
      const mark = out.length;
      out.push({ kind: existed ? 'C' : 'A', path: abs });
      if (ent.isDirectory()) {
        await walk(r);
        // a directory the runtime made only to hold our mount points (e.g. /run) is no change
        if (!existed && out.length === mark + 1 && (await fsp.readdir(full)).every((n) => MOUNT_POINTS.has(path.join(abs, n)))) out.pop();
      }
    }
  };
  await walk('');
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
