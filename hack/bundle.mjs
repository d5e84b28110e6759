// Build step after tsc: bundle the CLI into one CommonJS file, dist/tsman.cjs, and V8's code cache
// for it, dist/tsman.cjs.cache (bin/boot.cjs loads both). Why: Node resolves, reads and compiles
// each of ~200 ES modules at every start (~60 ms of a ~130 ms `tsman --version` on the test
// machines); one pre-compiled file cuts that to a few ms, and every tsman command is a fresh
// process. koffi (a native addon) stays outside and is loaded from node_modules when needed.
// The cache is produced by running a few commands that touch most of the startup code, with
// TSMAN_CODE_CACHE=write (see bin/boot.cjs).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'tsman.cjs');
rmSync(`${out}.cache`, { force: true });
await build({
  entryPoints: [path.join(root, 'dist', 'src', 'cli', 'main.js')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['koffi'],
  // src/util/selfpath.ts is the only user of import.meta: give it the URL its tsc output has
  define: { 'import.meta.url': '__tsmanSelfUrl' },
  banner: { js: 'var __tsmanSelfUrl = require("node:url").pathToFileURL(require("node:path").join(__dirname, "src", "util", "selfpath.js")).href;' },
  // pure ASCII (esbuild escapes the rest), so bin/boot.cjs can read it as latin1: a one-byte
  // string without UTF-8 decoding; whitespace and syntax minified to halve what is read and hashed
  charset: 'ascii',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  logLevel: 'warning',
});
// esbuild leaves non-ASCII in regular expression literals as it is: write those as \uXXXX
const bad = readFileSync(out, 'latin1').search(/[^\x00-\x7f]/);
if (bad >= 0) throw new Error(`dist/tsman.cjs is not pure ASCII at offset ${bad} (bin/boot.cjs reads it as latin1): escape the character in the source`);
// vm.Script (bin/boot.cjs) has no loader for import() on this Node: every import must be static
// or of a bundled module (which esbuild turns into a require)
const dyn = /(?<![\w$.])import\(/.exec(readFileSync(out, 'latin1'));
if (dyn) throw new Error(`dist/tsman.cjs has a dynamic import() esbuild left as it is (a built-in module?) at offset ${dyn.index}: import it statically`);
const env = { ...process.env, TSMAN_CODE_CACHE: 'write' };
delete env.NODE_EXTRA_CA_CERTS;
for (const args of [['--help'], ['run', '--help'], ['ps', '--help']]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'boot.cjs'), ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`code cache: tsman ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}
