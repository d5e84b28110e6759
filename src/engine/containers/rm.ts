// `rm`: exit status 1 for a missing container, 2 for a running one without -f (podman's).
import type { Engine } from '../index.js';
import type { RmOptions, RmReport, Targets } from './options.js';
import type { RemoveOpts } from './lifecycle.js';
import { TsmanError } from '../../errors.js';
import { removeContainer } from './lifecycle.js';
import { eachTarget, resolveTargets } from './targets.js';

/** the removed container's id; undefined: missing and ignored */
export async function removeByName(engine: Engine, name: string, o: RemoveOpts): Promise<string | undefined> {
  try {
    const id = await removeContainer(engine, name, o);
    return id;
  } catch (err) {
    if (err instanceof TsmanError && err.code === 'ENOTFOUND') throw new TsmanError('ENOTFOUND', err.message, { exitCode: 1 });
    throw err;
  }
}

export async function rm(engine: Engine, t: Targets, o: RmOptions): Promise<RmReport[]> {
  // -f ignores a missing container too (podman)
  const opts: RemoveOpts = { force: o.force, volumes: o.volumes, ignore: o.ignore || o.force, timeout: o.timeout };
  return eachTarget(resolveTargets(engine, t), async (n) => (await removeByName(engine, n, opts)) ? { rawInput: n } : undefined);
}
