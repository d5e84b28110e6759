import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// the compiled module next to this compiled test: dist/src/util/fatal.js
const fatalModule = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/util/fatal.js')).href;

let dir: string;
before(async () => { dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tsman-fatal-test-')); });
after(async () => { await fsp.rm(dir, { recursive: true, force: true }); });

/** A Node process with the handlers installed, a cleanup registered, and `body` run. */
function crash(body: string): { status: number | null; stderr: string; cleaned: boolean } {
  const marker = path.join(dir, `cleaned-${Math.random().toString(36).slice(2)}`);
  const script = `
    const { installFatalHandlers, onFatal } = await import(${JSON.stringify(fatalModule)});
    const fs = await import('node:fs');
    installFatalHandlers();
    onFatal(async () => { await new Promise((r) => setTimeout(r, 20)); fs.writeFileSync(${JSON.stringify(marker)}, 'x'); });
    const dropped = onFatal(() => fs.writeFileSync(${JSON.stringify(marker)} + '.dropped', 'x'));
    dropped();
    ${body}
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, TSMAN_DEBUG: '' } });
  return { status: r.status, stderr: r.stderr, cleaned: existsSync(marker) && !existsSync(`${marker}.dropped`) };
}

describe('the last-resort handler', () => {
  it('an uncaught exception: Error: <message>, exit 125, no stack trace, cleanups run', () => {
    const r = crash(`setTimeout(() => { throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }); }, 1);`);
    assert.equal(r.stderr, 'Error: write EPIPE\n');
    assert.equal(r.status, 125);
    assert.ok(r.cleaned);
  });

  it('an unhandled rejection and an error event nobody listens to: the same', () => {
    const r = crash(`Promise.reject(new Error('late failure'));`);
    assert.equal(r.stderr, 'Error: late failure\n');
    assert.equal(r.status, 125);
    assert.ok(r.cleaned);
    const e = crash(`const { EventEmitter } = await import('node:events'); setTimeout(() => new EventEmitter().emit('error', new Error('no listener')), 1);`);
    assert.equal(e.stderr, 'Error: no listener\n');
    assert.equal(e.status, 125);
  });

  it('a failure inside a cleanup is not reported twice and does not stop the exit', () => {
    const r = crash(`
      const { onFatal: again } = await import(${JSON.stringify(fatalModule)});
      again(() => { throw new Error('cleanup failed'); });
      again(() => Promise.reject(new Error('cleanup rejected')));
      setTimeout(() => { throw new Error('first'); }, 1);`);
    assert.equal(r.stderr, 'Error: first\n');
    assert.equal(r.status, 125);
    assert.ok(r.cleaned);
  });
});
