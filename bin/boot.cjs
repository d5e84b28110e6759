'use strict';
// Node's entry for tsman (bin/tsman starts it): loads the bundle dist/tsman.cjs through V8's code
// cache, so a command does not pay for resolving and compiling ~200 modules. Without the bundle
// (tsc output only) it imports the modules.
//
// Two caches. dist/tsman.cjs.cache (hack/bundle.mjs) covers what starting and `--help` run. V8
// only caches functions that have run, and the engine's code (storage, runtime, networking) does
// not run at build time, so each user also keeps caches in ${XDG_CACHE_HOME:-~/.cache}/tsman, one
// per kind of command (its first word): made without the build's cache, so it holds only what
// that kind runs (V8 reads a whole cache at every start: ~1 ms per 200 KB here), and written
// (a few ms, after the command's work is done) by the first two runs of the kind that end with
// status 0. From then on that command's functions are not compiled again (~15 ms of a ~130 ms
// `run --rm` on the test machines). A cache V8 rejects (another Node, other flags) or made for
// another build of the bundle is not used.
// TSMAN_CODE_CACHE=write: write the build's cache at exit (build time only).
const fs = require('node:fs');
const path = require('node:path');

const cwd = process.env.TSMAN_CWD;
if (cwd !== undefined) {
  // bin/tsman joined the user namespace, which moved the working directory to `/`
  delete process.env.TSMAN_CWD;
  try {
    process.chdir(cwd);
  } catch (err) {
    process.stderr.write(`Error: cannot change to the working directory ${cwd}: ${err.code || err.message}\n`);
    process.exit(125);
  }
}

let mod;
function finish(p, after) {
  p.then((code) => {
    if (process.env.TSMAN_TIMING) {
      fs.writeSync(2, `timing ${performance.now().toFixed(1).padStart(7)} ms  command done\n`);
      process.once('exit', () => fs.writeSync(2, `timing ${performance.now().toFixed(1).padStart(7)} ms  exit\n`));
    }
    process.exitCode = code;
    if (after) after(code);
    // the last 'exit' listener: skip Node's teardown when the bundle can (mod.exports.exitNow)
    if (mod && typeof mod.exports.exitNow === 'function') process.once('exit', (c) => mod.exports.exitNow(c));
  }, (err) => {
    process.stderr.write(`Error: ${err && err.message ? err.message : err}\n`);
    process.exitCode = 125;
  });
}

const file = path.join(__dirname, '..', 'dist', 'tsman.cjs');
let source;
let bundle;
try {
  bundle = fs.statSync(file);
  source = fs.readFileSync(file, 'latin1'); // ASCII only: see hack/bundle.mjs
} catch {
  finish(import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2))));
  return;
}
const vm = require('node:vm');
const Module = require('node:module');
const buildCache = `${file}.cache`;
const write = process.env.TSMAN_CODE_CACHE === 'write';
delete process.env.TSMAN_CODE_CACHE;

function readIfFresh(f) {
  try {
    if (fs.statSync(f).mtimeMs >= bundle.mtimeMs) return fs.readFileSync(f);
  } catch { /* none */ }
  return undefined;
}

// the user's cache for this kind of command, named after this build of the bundle
const home = process.env.XDG_CACHE_HOME || (process.env.HOME ? path.join(process.env.HOME, '.cache') : undefined);
const userDir = home && !write ? path.join(home, 'tsman') : undefined;
const tag = `${bundle.size}-${Math.floor(bundle.mtimeMs)}`;
// global flags with a value (src/cli/options.ts): the kind is the first word after them; a wrong
// guess only picks another cache
const GLOBAL_VALUE_FLAGS = new Set(['--root', '--runroot', '--storage-driver', '--storage-opt', '--log-level', '--cgroup-manager', '--runtime', '--registries-conf']);
function commandKind(argv) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (GLOBAL_VALUE_FLAGS.has(a)) i++;
      continue;
    }
    return /^[a-z][a-z0-9-]{0,31}$/.test(a) ? a : '_';
  }
  return '_';
}
const userCache = userDir && path.join(userDir, `code-${tag}-${commandKind(process.argv.slice(2))}.cache`);
let cachedData = userCache && readIfFresh(userCache);
const fromUser = cachedData !== undefined;
// the build's cache only where no user cache is kept (it would be carried into the user's)
if (!userCache) cachedData = readIfFresh(buildCache);
const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
mod = { exports: {}, filename: file, id: file, loaded: false };
script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
if (write) process.once('exit', () => fs.writeFileSync(buildCache, script.createCachedData()));

/** After a successful command: write this kind's cache, the first two times. */
function extendUserCache(code) {
  if (code !== 0 || !userCache) return;
  const runsFile = `${userCache}.runs`;
  let runs = 0;
  if (fromUser && !script.cachedDataRejected) {
    try { runs = Number.parseInt(fs.readFileSync(runsFile, 'latin1'), 10) || 0; } catch { /* none yet */ }
  }
  if (runs >= 2) return;
  process.once('exit', () => {
    try {
      fs.mkdirSync(userDir, { recursive: true, mode: 0o700 });
      const tmp = `${userCache}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, userCache);
      fs.writeFileSync(runsFile, `${runs + 1}\n`);
      // caches of other builds of the bundle
      for (const n of fs.readdirSync(userDir)) {
        if ((n.startsWith('code-') && !n.startsWith(`code-${tag}-`)) || (n.startsWith('machine-') && !n.startsWith(`machine-${tag}-`))) {
          fs.rmSync(path.join(userDir, n), { force: true });
        }
      }
    } catch { /* a read-only or full home: no cache, no harm */ }
  });
}
// the command-line parser's machines (src/cli/lazymachine.ts), kept with the code cache
let machineCache;
if (userDir) {
  try {
    fs.mkdirSync(userDir, { recursive: true, mode: 0o700 });
    machineCache = path.join(userDir, `machine-${tag}`);
  } catch { /* a read-only home: built each time */ }
}
finish(mod.exports.main(process.argv.slice(2), { machineCache }), extendUserCache);
