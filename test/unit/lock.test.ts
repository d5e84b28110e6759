// The lock-file removal protocol of src/util/lock.ts, with real processes: workers that remove
// the lock file every time they release it must still exclude each other.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileLock } from '../../src/util/lock.js';

const LOCK = fileURLToPath(new URL('../../src/util/lock.js', import.meta.url));
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'tsman-lock-'));
  dirs.push(d);
  return d;
}

/** N processes x ROUNDS: lock, read the counter, yield, write it + 1, release (removing the file). */
function worker(dir: string, rounds: number, mode: 'remove' | 'keep'): Promise<number | null> {
  const script = `
    import { FileLock } from ${JSON.stringify(LOCK)};
    import { readFileSync, writeFileSync } from 'node:fs';
    const counter = ${JSON.stringify(path.join(dir, 'counter'))};
    for (let i = 0; i < ${rounds}; i++) {
      const l = new FileLock(${JSON.stringify(path.join(dir, 'locks', 'x.lock'))});
      const body = async () => {
        const n = Number(readFileSync(counter, 'utf8'));
        await new Promise((r) => setTimeout(r, Math.random() * 2));
        writeFileSync(counter, String(n + 1));
      };
      ${mode === 'remove' ? 'await l.withThenRemove(body);' : 'await l.with(body);'}
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

test('lock files removed on every release still exclude: no lost update, no file left', async () => {
  const d = tmp();
  writeFileSync(path.join(d, 'counter'), '0');
  const codes = await Promise.all([1, 2, 3, 4].map(() => worker(d, 40, 'remove')));
  assert.deepEqual(codes, [0, 0, 0, 0]);
  assert.equal(readFileSync(path.join(d, 'counter'), 'utf8'), '160');
  assert.deepEqual(readdirSync(path.join(d, 'locks')), []);
});

test('a waiter whose file was removed by the holder locks the new file, not the old one', async () => {
  const d = tmp();
  const file = path.join(d, 'x.lock');
  const a = new FileLock(file);
  await a.lock();
  const b = new FileLock(file);
  let bHas = false;
  const bLocked = b.lock().then(() => { bHas = true; });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(bHas, false);
  a.remove();
  await bLocked;
  assert.equal(existsSync(file), true, 'b made and locked a new file');
  // a third one must wait for b (it would not if b held the removed file's lock)
  const c = new FileLock(file);
  assert.equal(c.tryLock(), false);
  b.remove();
  assert.equal(c.tryLock(), true);
  c.remove();
  assert.equal(existsSync(file), false);
});

test('missingDir decides when the directory is gone: no directory is re-created', async () => {
  const d = tmp();
  mkdirSync(path.join(d, 'obj'));
  const file = path.join(d, 'obj', 'lock');
  const gone = () => { throw new Error('object gone'); };
  const a = new FileLock(file, { missingDir: gone });
  await a.lock();
  const b = new FileLock(file, { missingDir: gone });
  const bLocked = b.lock();
  await new Promise((r) => setTimeout(r, 20));
  rmSync(path.join(d, 'obj'), { recursive: true }); // the holder removes the object with its lock
  a.unlock();
  await assert.rejects(bLocked, /object gone/);
  assert.equal(existsSync(path.join(d, 'obj')), false);
});
