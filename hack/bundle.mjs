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

// Two edits to clipanion, made while bundling (its files in node_modules stay as they are): its
// default context reads process.stdin and the terminal's colour depth when the module loads, which
// creates a stdin stream and loads tty and net (~5 ms of every command, most of which never read
// stdin); here they are read when first used. A pattern that is not found (another clipanion)
// fails the build rather than bundling unpatched code.
const clipanionEdits = {
  'lib/platform/node.js': [["var tty = require('tty');", "var tty = { get default() { return require('tty'); } };"]],
  'lib/advanced/Cli.js': [
    ['Cli.defaultContext = {\n    env: process.env,\n    stdin: process.stdin,\n    stdout: process.stdout,\n    stderr: process.stderr,\n    colorDepth: platform.getDefaultColorDepth(),\n};',
      'Cli.defaultContext = {\n    env: process.env,\n    get stdin() { return process.stdin; },\n    get stdout() { return process.stdout; },\n    get stderr() { return process.stderr; },\n    get colorDepth() { return platform.getDefaultColorDepth(); },\n};'],
    // a spread would call the getters: the defaults stay behind the command's context instead
    ['const context = {\n            ...Cli.defaultContext,\n            ...userContext,\n        };\n        switch',
      'const context = Object.defineProperties(Object.create(Cli.defaultContext), Object.getOwnPropertyDescriptors(userContext ?? {}));\n        switch'],
  ],
};
const lazyClipanion = {
  name: 'lazy-clipanion',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]clipanion[\\/]lib[\\/](platform[\\/]node|advanced[\\/]Cli)\.js$/ }, (args) => {
      const rel = args.path.slice(args.path.lastIndexOf('clipanion/') + 'clipanion/'.length);
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to] of clipanionEdits[rel] ?? []) {
        if (!text.includes(from)) throw new Error(`clipanion ${rel}: expected text not found (another version?): ${from.slice(0, 60)}`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

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
  plugins: [lazyClipanion],
  // src/util/selfpath.ts is the only user of import.meta, and in the bundle takes __tsmanRoot instead
  define: { 'import.meta.url': '__tsmanSelfUrl' },
  // the package root for src/util/selfpath.ts (dist/tsman.cjs sits in dist/)
  banner: { js: 'var __tsmanRoot = require("node:path").dirname(__dirname), __tsmanSelfUrl = "file:///";' },
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
