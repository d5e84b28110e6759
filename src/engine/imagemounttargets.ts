// `image mount` / `image unmount` over target lists (names, or --all: every image, every mounted
// one), over engine/imagemount.ts. The first failure ends the list, as these verbs always did.
import type { Engine } from './index.js';
import type { Targets } from './targets.js';
import { TsmanError } from '../errors.js';
import { mountImage, unmountImage, listImageMounts } from './imagemount.js';

/** One image mounted (its path) or unmounted (its id), or its error, which ends the list. */
export interface ImageMountReport { rawInput: string; path?: string; id?: string; err?: TsmanError }

async function each(names: string[], fn: (n: string) => Promise<ImageMountReport>): Promise<ImageMountReport[]> {
  const out: ImageMountReport[] = [];
  for (const n of names) {
    try {
      out.push(await fn(n));
    } catch (err) {
      if (!(err instanceof TsmanError)) throw err;
      out.push({ rawInput: n, err });
      break;
    }
  }
  return out;
}

export async function mountImages(engine: Engine, t: Targets): Promise<ImageMountReport[]> {
  const names = t.all ? engine.store.read().images.map((i) => i.id) : t.names;
  return each(names, async (n) => ({ rawInput: n, path: await mountImage(engine, n) }));
}

export async function unmountImages(engine: Engine, t: Targets): Promise<ImageMountReport[]> {
  const names = t.all ? (await listImageMounts(engine)).map((m) => m.id) : t.names;
  if (names.length === 0) throw new TsmanError('EUSAGE', 'image name or ID must be specified');
  return each(names, async (n) => ({ rawInput: n, id: await unmountImage(engine, n) }));
}
