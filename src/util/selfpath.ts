// Where tsman's own files are, whether this code runs from tsc's output (dist/src/..., ESM, as the
// unit tests load it) or from the one-file bundle dist/tsman.cjs that bin/tsman starts. The bundle
// (hack/bundle.mjs) gives the root as __tsmanRoot, so both resolve the same paths.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) root: the directory holding dist/, bin/ and containers.conf. */
// the bundle's banner sets __tsmanRoot (no URL to build and parse at every start)
declare const __tsmanRoot: string | undefined;
export const PACKAGE_ROOT = typeof __tsmanRoot === 'string' ? __tsmanRoot : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A file of tsc's output, by its path under dist/src (e.g. `netslirp/portfwd.js`). */
export function distSrcPath(rel: string): string {
  return path.join(PACKAGE_ROOT, 'dist', 'src', rel);
}
