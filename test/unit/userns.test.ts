// Real namespaces: the test runs as root and drives node child processes as the unprivileged
// `tsmantest` user (hack/test-user.sh), each with its own HOME and XDG_RUNTIME_DIR.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, chownSync, rmSync, readdirSync, readFileSync, readlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupUser } from '../../src/userns/subid.js';
import { getIdMappings, migrate, type IdMap } from '../../src/userns/index.js';
import { findInPath, readProcStat } from '../../src/userns/pause.js';

const INDEX = fileURLToPath(new URL('../../src/userns/index.js', import.meta.url));
// the unprivileged user hack/test.sh runs the rootless tests as
const TEST_USER = process.env.TSMAN_TEST_USER || 'tsmantest';
const user = lookupUser(TEST_USER);
const tools = ['newuidmap', 'newgidmap', 'unshare', 'nsenter', 'catatonit'].filter((t) => !findInPath(t));
let expected: { uidMap: IdMap[]; gidMap: IdMap[] } | undefined;
try { if (user) expected = getIdMappings(TEST_USER); } catch { /* no ranges: skipped below */ }
const skip = process.getuid!() !== 0 ? `needs root (to run as ${TEST_USER})`
  : !user ? `no ${TEST_USER} user (hack/test-user.sh)`
  : !expected ? `${TEST_USER} has no subuid/subgid ranges`
  : tools.length > 0 ? `missing ${tools.join(', ')}` : false;

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) {
    await migrate(path.join(d, 'run')).catch(() => {});
    rmSync(d, { recursive: true, force: true });
  }
});

/** A HOME with a runtime dir, owned by uid. */
function userDir(uid = user!.uid, gid = user!.gid): string {
  const d = mkdtempSync(path.join(tmpdir(), 'tsman-userns-'));
  mkdirSync(path.join(d, 'run'));
  for (const p of [d, path.join(d, 'run')]) chownSync(p, uid, gid);
  dirs.push(d);
  return d;
}

interface Result { code: number | null; signal: string | null; stdout: string; stderr: string; out: any }

/** Run an ES module body as the user; `u` is the userns module, `run` the runtime dir, `out(x)` reports. */
function runAs(dir: string, body: string, opts: { uid?: number; gid?: number; env?: Record<string, string>; onSpawn?: (pid: number, stdout: NodeJS.ReadableStream) => void } = {}): Promise<Result> {
  const script = path.join(dir, `s-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(script, `import * as u from ${JSON.stringify(INDEX)};
import { spawn } from 'node:child_process';
const run = process.env.XDG_RUNTIME_DIR;
const out = (x) => console.log('OUT ' + JSON.stringify(x));
const capture = async (cmd, args, o = {}) => {
  const c = await u.runInUserNamespace(run, cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...o });
  let s = ''; c.stdout.on('data', (d) => { s += d; });
  const code = await new Promise((r) => c.on('close', r));
  return { code, out: s };
};
${body}
`, { mode: 0o644 });
  const env = { PATH: process.env.PATH!, HOME: dir, XDG_RUNTIME_DIR: path.join(dir, 'run'), ...opts.env };
  const child = spawn(process.execPath, [script], { uid: opts.uid ?? user!.uid, gid: opts.gid ?? user!.gid, env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  opts.onSpawn?.(child.pid!, child.stdout);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const line = stdout.split('\n').reverse().find((l) => l.startsWith('OUT '));
      resolve({ code, signal, stdout, stderr, out: line ? JSON.parse(line.slice(4)) : undefined });
    });
  });
}

function parseMap(text: string): IdMap[] {
  return text.trim().split('\n').map((l) => {
    const [c, h, s] = l.trim().split(/\s+/).map(Number);
    return { containerId: c!, hostId: h!, size: s! };
  });
}

/** Live (non-zombie) pause processes serving one runtime dir. */
function pauseProcesses(dir: string): number[] {
  const want = `TSMAN_PAUSE_DIR=${path.join(dir, 'run', 'tsman')}`;
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(e)) continue;
    try {
      if (!readFileSync(`/proc/${e}/environ`, 'utf8').split('\0').includes(want)) continue;
    } catch { continue; }
    const st = readProcStat(Number(e));
    if (st && st.state !== 'Z') found.push(Number(e));
  }
  return found;
}

function ok(r: Result): any {
  assert.equal(r.code, 0, `exit ${r.code} ${r.signal ?? ''}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.out;
}

test('creates the namespace with every subordinate range mapped', { skip }, async () => {
  const d = userDir();
  const out = ok(await runAs(d, `
    const pid = await u.ensurePauseProcess(run);
    out({ pid, rootless: u.isRootless(), inside: u.inUserNamespace(), file: (await import('node:fs')).readFileSync(run + '/tsman/pause.pid', 'utf8'),
      uid: await capture('cat', ['/proc/self/uid_map']), gid: await capture('cat', ['/proc/self/gid_map']),
      id: await capture('id', ['-u']), again: await u.ensurePauseProcess(run) });`));
  assert.equal(out.rootless, true);
  assert.equal(out.inside, false);
  assert.deepEqual(parseMap(out.uid.out), expected!.uidMap);
  assert.deepEqual(parseMap(out.gid.out), expected!.gidMap);
  assert.equal(out.id.out.trim(), '0');
  assert.equal(out.again, out.pid);
  // PID STARTTIME USERNS MNTNS: the namespaces' inodes, to find them again if the pause process dies
  const ns = (kind: string) => /\[([0-9]+)\]/.exec(readlinkSync(`/proc/${out.pid}/ns/${kind}`))![1];
  assert.equal(out.file, `${out.pid} ${readProcStat(out.pid)!.startTime} ${ns('user')} ${ns('mnt')}\n`);
  assert.equal(readProcStat(out.pid)!.comm, 'catatonit');
  assert.deepEqual(pauseProcesses(d), [out.pid]);
});

test('mounts persist in the namespace; the cwd is restored by path inside it', { skip }, async () => {
  const d = userDir();
  mkdirSync(path.join(d, 'mnt'));
  chownSync(path.join(d, 'mnt'), user!.uid, user!.gid);
  const out = ok(await runAs(d, `
    const mnt = process.env.HOME + '/mnt';
    const m = await capture('sh', ['-c', 'mount -t tmpfs none "$0" && touch "$0/inside"', mnt]);
    out({ m, seen: await capture('ls', [], { cwd: mnt }) });`));
  assert.equal(out.m.code, 0);
  assert.equal(out.seen.out.trim(), 'inside');
  assert.equal(existsSync(path.join(d, 'mnt', 'inside')), false);
});

test('concurrent ensurePauseProcess calls end with one pause process', { skip }, async () => {
  const d = userDir();
  const body = `const ps = await Promise.all([u.ensurePauseProcess(run), u.ensurePauseProcess(run), u.ensurePauseProcess(run)]);
    out({ ps, id: await capture('id', ['-u']) });`;
  const results = await Promise.all([runAs(d, body), runAs(d, body), runAs(d, body)]);
  const pids = results.flatMap((r) => ok(r).ps as number[]);
  assert.equal(new Set(pids).size, 1, `pids: ${pids.join(' ')}`);
  for (const r of results) assert.equal(r.out.id.out.trim(), '0');
  assert.deepEqual(pauseProcesses(d), [pids[0]]);
  assert.deepEqual(readdirSync(path.join(d, 'run', 'tsman')).filter((f) => f.endsWith('.tmp')), []);
});

test('a stale pause.pid is replaced (dead pid, reused pid, garbage, killed pause)', { skip }, async () => {
  const d = userDir();
  const out = ok(await runAs(d, `
    const fs = await import('node:fs');
    const file = run + '/tsman/pause.pid';
    fs.mkdirSync(run + '/tsman', { recursive: true });
    const dead = spawn('true'); await new Promise((r) => dead.on('exit', r));
    const res = [];
    for (const content of [dead.pid + ' 12345\\n', process.pid + ' 1\\n', 'garbage', '']) {
      await u.migrate(run); // the previous one's file is overwritten below: do not leak its process
      fs.writeFileSync(file, content);
      const pid = await u.ensurePauseProcess(run);
      res.push({ content, pid, file: fs.readFileSync(file, 'utf8'), id: (await capture('id', ['-u'])).out.trim() });
    }
    const before = await u.ensurePauseProcess(run);
    process.kill(before, 'SIGKILL');
    while (fs.existsSync('/proc/' + before) && !/\\) Z /.test(fs.readFileSync('/proc/' + before + '/stat', 'utf8'))) await new Promise((r) => setTimeout(r, 5));
    const after = await u.ensurePauseProcess(run);
    out({ res, before, after, id: (await capture('id', ['-u'])).out.trim() });`));
  let last = 0;
  for (const r of out.res) {
    assert.notEqual(r.pid, last, `not replaced: ${JSON.stringify(r)}`);
    assert.match(r.file, new RegExp(`^${r.pid} [0-9]+ [0-9]+ [0-9]+\\n$`));
    assert.equal(r.id, '0');
    last = r.pid;
  }
  assert.notEqual(out.after, out.before);
  assert.equal(out.id, '0');
  assert.deepEqual(pauseProcesses(d), [out.after]);
});

test('migrate kills the pause process and removes pause.pid', { skip }, async () => {
  const d = userDir();
  const out = ok(await runAs(d, `
    const fs = await import('node:fs');
    const p1 = await u.ensurePauseProcess(run);
    const f1 = fs.readFileSync(run + '/tsman/pause.pid', 'utf8');
    const killed = await u.migrate(run);
    const gone = !fs.existsSync('/proc/' + p1) || /\\) Z /.test(fs.readFileSync('/proc/' + p1 + '/stat', 'utf8'));
    const fileGone = !fs.existsSync(run + '/tsman/pause.pid');
    const none = await u.migrate(run);
    const p2 = await u.ensurePauseProcess(run);
    out({ p1, killed, gone, fileGone, none: none ?? null, changed: fs.readFileSync(run + '/tsman/pause.pid', 'utf8') !== f1,
      uid: (await capture('cat', ['/proc/self/uid_map'])).out });`));
  assert.equal(out.killed, out.p1);
  assert.equal(out.gone, true);
  assert.equal(out.fileGone, true);
  assert.equal(out.none, null);
  assert.equal(out.changed, true);
  assert.deepEqual(parseMap(out.uid), expected!.uidMap);
});

const REEXEC = `
  if (process.env._TSMAN_USERNS) {
    const mode = process.argv[2];
    if (mode === 'signal') process.kill(process.pid, 'SIGTERM');
    if (mode === 'wait') {
      process.on('SIGUSR2', () => { out({ got: 'SIGUSR2' }); process.exit(3); });
      console.log('READY');
      setTimeout(() => process.exit(99), 20000);
    } else {
      out({ uid: process.getuid(), inside: u.inUserNamespace(), rootless: u.isRootless(), reexec: u.needsReexec(),
        cwd: process.cwd(), args: process.argv.slice(2), host: u.hostIds(), pause: process.env._TSMAN_USERNS });
      process.exitCode = 7;
    }
  } else {
    process.exitCode = await u.reexecInUserNamespace(run, process.argv.slice(1));
  }`;

test('reexecInUserNamespace runs the script again inside and returns its exit code', { skip }, async () => {
  const d = userDir();
  const r = await runAs(d, REEXEC.replace("process.argv.slice(1))", "[...process.argv.slice(1), 'a b', '--x'])"));
  assert.equal(r.code, 7, r.stderr);
  assert.equal(r.out.uid, 0);
  assert.equal(r.out.inside, true);
  assert.equal(r.out.rootless, true);
  assert.equal(r.out.reexec, false);
  assert.equal(r.out.cwd, d);
  assert.deepEqual(r.out.args, ['a b', '--x']);
  assert.deepEqual(r.out.host, { uid: user!.uid, gid: user!.gid });
  assert.deepEqual(pauseProcesses(d), [Number(r.out.pause)]);

  const s = await runAs(d, REEXEC.replace("process.argv.slice(1))", "[...process.argv.slice(1), 'signal'])"));
  assert.equal(s.code, 128 + 15, s.stderr);
});

test('reexecInUserNamespace forwards signals to the inner process', { skip }, async () => {
  const d = userDir();
  let outerPid = 0;
  const r = await runAs(d, REEXEC.replace("process.argv.slice(1))", "[...process.argv.slice(1), 'wait'])"), {
    onSpawn: (pid, stdout) => {
      outerPid = pid;
      let buf = '';
      stdout.on('data', (chunk) => {
        buf += chunk;
        if (buf.includes('READY\n')) { buf = ''; process.kill(outerPid, 'SIGUSR2'); }
      });
    },
  });
  assert.equal(r.code, 3, r.stderr);
  assert.deepEqual(r.out, { got: 'SIGUSR2' });
});

test('a user without subordinate ranges gets a clear error', { skip }, async () => {
  const d = userDir(1999, 1999); // no passwd entry, no ranges
  const r = await runAs(d, `
    try { await u.ensurePauseProcess(run); out({ ok: true }); }
    catch (e) { out({ code: e.code, exit: e.exitCode, message: e.message, hint: e.hint }); }`, { uid: 1999, gid: 1999 });
  assert.equal(r.out.code, 'EUSERNS');
  assert.equal(r.out.exit, 125);
  assert.equal(r.out.message, 'cannot find UID/GID for user 1999: no subuid ranges found for user "1999" in /etc/subuid - check rootless mode in man pages');
  assert.match(r.out.hint, /tsman system migrate/);
  assert.deepEqual(pauseProcesses(d), []);
});

test('newuidmap missing from $PATH gives podman\'s error', { skip }, async () => {
  const d = userDir();
  const r = await runAs(d, `
    try { await u.ensurePauseProcess(run); out({ ok: true }); }
    catch (e) { out({ code: e.code, message: e.message }); }`, { env: { PATH: '/nonexistent' } });
  assert.deepEqual(r.out, { code: 'EUSERNS', message: 'command required for rootless mode with multiple IDs: exec: "newuidmap": executable file not found in $PATH' });
});

test('newuidmap without setuid or file capabilities is named with the fix', { skip }, async () => {
  const d = userDir();
  const bin = path.join(d, 'bin');
  mkdirSync(bin);
  for (const t of ['newuidmap', 'newgidmap']) writeFileSync(path.join(bin, t), readFileSync(findInPath(t)!), { mode: 0o755 });
  const r = await runAs(d, `
    try { await u.ensurePauseProcess(run); out({ ok: true }); }
    catch (e) { out({ code: e.code, message: e.message, hint: e.hint }); }`, { env: { PATH: `${bin}:${process.env.PATH}` } });
  assert.equal(r.out.code, 'EUSERNS', r.stderr);
  assert.match(r.out.message, new RegExp(`^cannot set up namespace using "${bin}/new[ug]idmap": should have setuid or have filecaps set[ug]id$`));
  assert.match(r.out.hint, /chmod u\+s .*setcap cap_set[ug]id\+ep/);
  assert.deepEqual(pauseProcesses(d), []);
});

test('newuidmap refusing a range: its stderr is in the error; a small range warns', { skip }, async () => {
  const d = userDir();
  const files = { subuid: path.join(d, 'subuid'), subgid: path.join(d, 'subgid') };
  writeFileSync(files.subuid, `${TEST_USER}:4000000:65536\n`);
  writeFileSync(files.subgid, `${TEST_USER}:100000:65536\n`);
  const bad = await runAs(d, `
    try { await u.ensurePauseProcess(run, { subuidFile: ${JSON.stringify(files.subuid)} }); out({ ok: true }); }
    catch (e) { out({ code: e.code, message: e.message }); }`);
  assert.equal(bad.out.code, 'EUSERNS', bad.stderr);
  assert.match(bad.out.message, /^cannot set up namespace using "\/.*newuidmap": running `.*newuidmap [0-9]+ 0 1001 1 1 4000000 65536`: newuidmap: .*not allowed.*: exit status 1$/s);
  assert.deepEqual(pauseProcesses(d), []);

  const first = expected!.uidMap[1]!;
  writeFileSync(files.subuid, `${TEST_USER}:${first.hostId}:1000\n`);
  const small = await runAs(d, `
    await u.ensurePauseProcess(run, { subuidFile: ${JSON.stringify(files.subuid)} });
    out({ uid: (await capture('cat', ['/proc/self/uid_map'])).out });`);
  assert.deepEqual(parseMap(ok(small).uid), [{ containerId: 0, hostId: user!.uid, size: 1 }, { containerId: 1, hostId: first.hostId, size: 1000 }]);
  assert.match(small.stderr, new RegExp(`^WARN\\[0000\\] user "${TEST_USER}" has only 1000 subordinate uids and 65536 subordinate gids`, 'm'));
});
