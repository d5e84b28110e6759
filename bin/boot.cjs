'use strict';
// Node's entry for tsman (bin/tsman starts it): loads the bundle dist/tsman.cjs through V8's code
// cache dist/tsman.cjs.cache (both made by hack/bundle.mjs), so a command does not pay for
// resolving and compiling ~200 modules. Without the bundle (tsc output only) it imports the
// modules. A cache V8 rejects (another Node) or one older than the bundle is ignored.
// TSMAN_CODE_CACHE=write: write the cache at exit (build time only).
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

function finish(p) {
  p.then((code) => { process.exitCode = code; }, (err) => {
    process.stderr.write(`Error: ${err && err.message ? err.message : err}\n`);
    process.exitCode = 125;
  });
}

const file = path.join(__dirname, '..', 'dist', 'tsman.cjs');
let source;
try {
  source = fs.readFileSync(file, 'latin1'); // ASCII only: see hack/bundle.mjs
} catch {
  finish(import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2))));
  return;
}
const vm = require('node:vm');
const Module = require('node:module');
const cacheFile = `${file}.cache`;
const write = process.env.TSMAN_CODE_CACHE === 'write';
delete process.env.TSMAN_CODE_CACHE;
let cachedData;
try {
  const c = fs.statSync(cacheFile);
  if (c.mtimeMs >= fs.statSync(file).mtimeMs) cachedData = fs.readFileSync(cacheFile);
} catch { /* no cache: compile */ }
const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
const mod = { exports: {}, filename: file, id: file, loaded: false };
script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
if (write) process.once('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
finish(mod.exports.main(process.argv.slice(2)));
