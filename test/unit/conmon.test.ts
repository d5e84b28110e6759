// conmon, runc, the attach socket and exec for real: containers from a bundle whose rootfs is the
// host's static busybox. As root directly; rootless as the `tsmantest` user inside its user
// namespace (this same file re-run there with TSMAN_CONMON_TEST_MODE=scenarios, printing results).
// The tty scenario attaches from a pseudo-terminal: this file again, as a client under script(1).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startConmon, execConmon, waitForExitFile, readExitFile, ociRuntimeError, type ConmonOptions } from '../../src/runtime/conmon.js';
import { attach, parseDetachKeys } from '../../src/runtime/attach.js';
import { findRuntime, openRuntime } from '../../src/runtime/select.js';
import { Runc } from '../../src/runtime/runc.js';
import { Crun } from '../../src/runtime/crun.js';
import { OciCli } from '../../src/runtime/oci.js';
import { readLogs } from '../../src/runtime/logs.js';
import { TsmanError } from '../../src/errors.js';
import { lookupUser, readSubIds } from '../../src/userns/subid.js';
import { migrate } from '../../src/userns/index.js';

const SELF = fileURLToPath(import.meta.url);
const MODE = process.env.TSMAN_CONMON_TEST_MODE;
const which = (t: string) => ['/usr/sbin', '/usr/bin', '/bin', '/sbin'].map((d) => path.join(d, t)).find((p) => fs.existsSync(p));

interface Ctx { dir: string; runc: string; root: string; exits: string; rootless: boolean; template: any; ids: string[] }
type Results = Record<string, any>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
function collector(): Writable & { text: string } {
  const w = Object.assign(new Writable({ write(c, _e, cb) { w.text += c.toString(); cb(); } }), { text: '' });
  return w;
}

/** A rootfs with busybox and a runc spec template (root: `runc spec`; rootless: podman-style, no user namespace of its own). */
function setup(dir: string, rootless: boolean): Ctx {
  const rootfs = path.join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin/busybox'));
  fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
  for (const a of ['sh', 'echo', 'cat', 'sleep', 'stty', 'id']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  const t = path.join(dir, 'template');
  fs.mkdirSync(t);
  execFileSync(which('runc')!, ['spec', ...(rootless ? ['--rootless'] : [])], { cwd: t });
  const template = JSON.parse(fs.readFileSync(path.join(t, 'config.json'), 'utf8'));
  template.root = { path: rootfs, readonly: false };
  if (rootless) {
    template.linux.namespaces = template.linux.namespaces.filter((n: { type: string }) => n.type !== 'user');
    delete template.linux.uidMappings;
    delete template.linux.gidMappings;
  }
  return { dir, runc: which('runc')!, root: path.join(dir, 'runc'), exits: path.join(dir, 'exits'), rootless, template, ids: [] };
}

function bundle(ctx: Ctx, id: string, args: string[], terminal = false): string {
  const b = path.join(ctx.dir, id);
  fs.mkdirSync(b, { recursive: true });
  const spec = structuredClone(ctx.template);
  spec.process.args = args;
  spec.process.terminal = terminal;
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(spec));
  ctx.ids.push(id);
  return b;
}

function conmonOpts(ctx: Ctx, id: string, b: string, o: Partial<ConmonOptions> = {}): ConmonOptions {
  return {
    id, name: `n-${id}`, bundle: b, runtimePath: ctx.runc, runtimeRoot: ctx.root, exitDir: ctx.exits,
    socketDir: path.join(ctx.dir, 'socket'), logPath: path.join(b, 'ctr.log'), logDriver: 'k8s-file',
    pidFile: path.join(b, 'pidfile'), conmonPidFile: path.join(b, 'conmon.pid'), terminal: false, stdin: false, ...o,
  };
}

const pidAlive = (pid: number) => { try { return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };

/** Kill and delete a container, and its conmon should it still run. */
async function destroy(ctx: Ctx, id: string): Promise<void> {
  const rt = new Runc(ctx.runc, ctx.root);
  await rt.kill(id, 'KILL').catch(() => undefined);
  await rt.delete(id, true).catch(() => undefined);
  let pid = 0;
  try { pid = Number.parseInt(fs.readFileSync(path.join(ctx.dir, id, 'conmon.pid'), 'utf8'), 10); } catch { /* never started */ }
  if (pid > 0 && pidAlive(pid)) {
    await waitFor('conmon to exit', () => !pidAlive(pid), 5000).catch(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } });
  }
}

function errInfo(err: unknown) {
  return { message: (err as Error).message, exitCode: (err as TsmanError).exitCode };
}

// ---- scenarios: each returns plain data (they also run inside the user namespace) ----

const scenarios: Record<string, (ctx: Ctx) => Promise<unknown>> = {
  async exitAndLog(ctx) {
    const id = 'exit3';
    const b = bundle(ctx, id, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    const marker = path.join(b, 'exit-command-ran');
    const rt = new Runc(ctx.runc, ctx.root);
    const started = await startConmon(conmonOpts(ctx, id, b, {
      persistDir: path.join(b, 'persist'), exitCommand: ['/bin/sh', '-c', `echo "$0" > ${marker}`, 'cleanup'],
    }));
    const created = (await rt.state(id))?.status;
    await rt.start(id);
    const exit = await waitForExitFile(ctx.exits, id, { timeoutMs: 10_000 });
    await waitFor('the exit command', () => fs.existsSync(marker));
    const out: string[] = [];
    await readLogs(path.join(b, 'ctr.log'), { timestamps: false, follow: false }, (s, t) => out.push(`${s}:${t}`));
    await rt.delete(id, true);
    return {
      started, created, exit, again: await readExitFile(ctx.exits, id), log: fs.readFileSync(path.join(b, 'ctr.log'), 'utf8'),
      persist: fs.readFileSync(path.join(b, 'persist', 'exit'), 'utf8'), exitCommand: fs.readFileSync(marker, 'utf8'), logs: out,
      gone: await rt.state(id),
    };
  },

  async attachStdin(ctx) {
    const id = 'readx';
    const b = bundle(ctx, id, ['sh', '-c', 'read x; echo got $x; cat; echo e >&2']);
    const rt = new Runc(ctx.runc, ctx.root);
    await startConmon(conmonOpts(ctx, id, b, { stdin: true }));
    const stdin = new PassThrough();
    const out = collector();
    const err = collector();
    const how = attach({
      socketPath: path.join(b, 'attach'), stdin, stdout: out, stderr: err, tty: false, detachKeys: '', onConnected: () => rt.start(id),
    });
    stdin.write('hi\n');
    await waitFor('got hi', () => out.text.includes('got hi'));
    // with detaching off the keys are data; the end of our stdin closes the container's (podman: CloseWrite)
    stdin.end('more\x10\x11');
    const result = await how;
    return { result, out: out.text, err: err.text, exit: await waitForExitFile(ctx.exits, id, { timeoutMs: 10_000 }) };
  },

  async detach(ctx) {
    const id = 'cat';
    const b = bundle(ctx, id, ['sh', '-c', 'cat; echo eof; sleep 1000']);
    const rt = new Runc(ctx.runc, ctx.root);
    await startConmon(conmonOpts(ctx, id, b, { stdin: true }));
    const in1 = new PassThrough();
    const out1 = collector();
    const first = attach({ socketPath: path.join(b, 'attach'), stdin: in1, stdout: out1, stderr: out1, tty: false, onConnected: () => rt.start(id) });
    in1.write('one\n');
    await waitFor('echo of one', () => out1.text.includes('one\n'));
    in1.write('x\x10');
    in1.write('\x11');
    const r1 = await first;
    const log = path.join(b, 'ctr.log');
    // conmon closes a -i container's stdin when a client goes (podman run -i behaves the same);
    // under load it may not have yet: an attach whose stdin ends at once delivers the EOF for sure
    try {
      await waitFor('eof in the log', () => fs.readFileSync(log, 'utf8').includes('eof'), 3000);
    } catch {
      const ended = new PassThrough();
      ended.end();
      const sink = collector();
      const again = attach({ socketPath: path.join(b, 'attach'), stdin: ended, stdout: sink, stderr: sink, tty: false, detachKeys: '' });
      await waitFor('eof in the log', () => fs.readFileSync(log, 'utf8').includes('eof'));
      void again.catch(() => undefined);
    }
    const running = (await rt.state(id))?.status;
    const out2 = collector();
    const second = attach({ socketPath: path.join(b, 'attach'), stdout: out2, stderr: out2, tty: false });
    await sleep(100);
    await rt.kill(id, 'KILL');
    const r2 = await second;
    const exit = await waitForExitFile(ctx.exits, id, { timeoutMs: 10_000 });
    let logged = '';
    await readLogs(log, { timestamps: false, follow: false }, (_s, t) => { logged += t; });
    return { r1, out1: out1.text, running, r2, exit, logged };
  },

  async tty(ctx) {
    const id = 'tty';
    const b = bundle(ctx, id, ['sh', '-c', 'read x; stty size; echo "got $x"; read y'], true);
    const rt = new Runc(ctx.runc, ctx.root);
    await startConmon(conmonOpts(ctx, id, b, { terminal: true }));
    await rt.start(id);
    const client = spawn('script', ['-qfec', `stty rows 30 cols 100; exec "${process.execPath}" "${SELF}"`, '/dev/null'], {
      env: { ...process.env, TSMAN_CONMON_TEST_MODE: 'tty-client', TSMAN_TTY_SOCKET: path.join(b, 'attach'), TSMAN_TTY_CTL: path.join(b, 'ctl') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let text = '';
    client.stdout.on('data', (d) => { text += d; });
    client.stderr.on('data', (d) => { text += d; });
    const exited = new Promise((r) => client.on('close', r));
    try {
      await waitFor('the client to attach', () => text.includes('ATTACHED'));
      client.stdin.write('hi\r');
      await waitFor('the container\'s answer', () => text.includes('got hi'));
      client.stdin.write('\x10\x11');
      await waitFor('the client to detach', () => text.includes('RESULT'));
      await exited;
    } finally {
      client.kill();
    }
    const running = (await rt.state(id))?.status;
    await destroy(ctx, id);
    return { text, running };
  },

  async exec(ctx) {
    const id = 'sleeper';
    const b = bundle(ctx, id, ['sleep', '1000']);
    const rt = new Runc(ctx.runc, ctx.root);
    await startConmon(conmonOpts(ctx, id, b));
    await rt.start(id);
    const proc = (args: string[]) => ({ args, cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 }, terminal: false });
    const base = (s: string) => ({ id, name: id, sessionId: s, bundle: path.join(b, s), runtimePath: ctx.runc, runtimeRoot: ctx.root, terminal: false });
    const out = collector();
    const err = collector();
    const r1 = await execConmon({ ...base('s1'), process: proc(['sh', '-c', 'echo hi; echo err >&2; exit 5']), attach: { stdout: out, stderr: err } });
    const stdin = new PassThrough();
    const out2 = collector();
    const p2 = execConmon({ ...base('s2'), process: proc(['cat']), attach: { stdin, stdout: out2, stderr: out2 } });
    stdin.end('xyz');
    const r2 = await p2;
    const notFound = await execConmon({ ...base('s3'), process: proc(['nosuchcmd']), attach: { stdout: collector(), stderr: collector() } })
      .then(() => undefined, errInfo);
    const denied = await execConmon({ ...base('s4'), process: proc(['/bin']), attach: { stdout: collector(), stderr: collector() } })
      .then(() => undefined, errInfo);
    const r5 = await execConmon({ ...base('s5'), process: proc(['sh', '-c', 'exit 7']) });
    const detachedExit = await waitForExitFile(path.join(b, 's5', 'exit'), id, { timeoutMs: 10_000 });
    await rt.kill(id, 'KILL');
    const exit = await waitForExitFile(ctx.exits, id, { timeoutMs: 10_000 });
    await rt.delete(id);
    return {
      r1, out: out.text, err: err.text, r2, out2: out2.text, notFound, denied, r5, detachedExit, exit,
      sessionDirGone: !fs.existsSync(path.join(b, 's1')),
    };
  },

  async createErrors(ctx) {
    const res: Record<string, unknown> = {};
    for (const [id, args] of [['missing', ['nosuchcmd']], ['isdir', ['/bin']]] as const) {
      const b = bundle(ctx, id, [...args]);
      res[id] = await startConmon(conmonOpts(ctx, id, b)).then(() => undefined, errInfo);
      res[`${id}State`] = await new Runc(ctx.runc, ctx.root).state(id);
    }
    return res;
  },

  async oci(ctx) {
    const rt = new Runc(ctx.runc, ctx.root);
    const id = 'ocictl';
    const b = bundle(ctx, id, ['sleep', '1000']);
    await startConmon(conmonOpts(ctx, id, b, { logDriver: 'none' }));
    await rt.start(id);
    const res: Record<string, unknown> = { running: (await rt.state(id))?.status };
    if (!ctx.rootless) {
      await rt.pause(id);
      res.paused = (await rt.state(id))?.status;
      await rt.resume(id);
      res.resumed = (await rt.state(id))?.status;
    }
    await rt.kill(id, 'SIGKILL');
    res.exit = await waitForExitFile(ctx.exits, id, { timeoutMs: 10_000 });
    res.killStopped = await rt.kill(id, 9).then(() => undefined, errInfo);
    await rt.delete(id);
    res.unknown = await rt.state('nosuch');
    res.killUnknown = await rt.kill('nosuch', 'KILL').then(() => undefined, errInfo);
    res.deleteUnknown = await rt.delete('nosuch', true).then(() => 'ok', errInfo);
    return res;
  },

  // runc's start without a second runc (its exec fifo, read in runc.ts); crun's is `crun start`.
  // Each runtime is a wrapper named like it that logs its arguments and runs the real runc.
  async fastStart(ctx) {
    const res: Record<string, unknown> = {};
    for (const name of ['runc', 'crun']) {
      const id = `start-${name}`;
      const b = bundle(ctx, id, ['sleep', '1000']);
      const dir = path.join(ctx.dir, `bin-${name}`);
      fs.mkdirSync(dir, { recursive: true });
      const log = path.join(dir, 'calls');
      fs.writeFileSync(log, '');
      fs.writeFileSync(path.join(dir, name), `#!/bin/sh\necho "$@" >> ${log}\nexec ${ctx.runc} "$@"\n`, { mode: 0o755 });
      const rt = openRuntime({ name, path: path.join(dir, name) }, ctx.root);
      const started = await startConmon(conmonOpts(ctx, id, b, { logDriver: 'none' }));
      await rt.start(id, started.containerPid);
      res[name] = {
        impl: rt.constructor.name, state: (await rt.state(id))?.status,
        calls: fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ')[2]),
      };
      await rt.kill(id, 'KILL');
      await waitForExitFile(ctx.exits, id, { timeoutMs: 10_000 });
      await rt.delete(id, true);
    }
    return res;
  },
};

const checks: Record<string, (r: any) => void> = {
  exitAndLog(r) {
    assert.ok(r.started.containerPid > 0 && r.started.conmonPid > 0, JSON.stringify(r.started));
    assert.equal(r.created, 'created');
    assert.equal(r.exit, 3);
    assert.equal(r.again, 3);
    assert.equal(r.persist, '3');
    assert.equal(r.exitCommand, 'cleanup\n');
    assert.match(r.log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d\d:\d\d stdout F out\n/m);
    assert.match(r.log, /^\S+ stderr F err$/m);
    assert.deepEqual(r.logs, ['stdout:out\n', 'stderr:err\n']);
    assert.equal(r.gone, undefined);
  },
  attachStdin(r) {
    assert.equal(r.result, 'exited');
    assert.equal(r.out, 'got hi\nmore\x10\x11');
    assert.equal(r.err, 'e\n');
    assert.equal(r.exit, 0);
  },
  detach(r) {
    assert.equal(r.r1, 'detached');
    assert.ok(r.out1 === 'one\n' || r.out1 === 'one\nx', JSON.stringify(r.out1));
    assert.equal(r.running, 'running');
    assert.equal(r.r2, 'exited');
    assert.equal(r.exit, 137);
    // what was typed before the detach keys reached the container, the keys did not
    assert.equal(r.logged, 'one\nxeof\n');
  },
  tty(r) {
    assert.match(r.text, /ATTACHED/);
    assert.match(r.text, /30 100\r*\n/, r.text);
    assert.match(r.text, /got hi\r*\n/);
    assert.match(r.text, /RESULT detached raw=false/, r.text);
    assert.equal(r.running, 'running');
  },
  exec(r) {
    assert.ok(r.r1.pid > 0);
    assert.equal(r.r1.exitCode, 5);
    assert.equal(r.out, 'hi\n');
    assert.equal(r.err, 'err\n');
    assert.deepEqual([r.r2.exitCode, r.out2], [0, 'xyz']);
    assert.equal(r.notFound.exitCode, 127);
    assert.equal(r.notFound.message, 'runc: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found');
    assert.equal(r.denied.exitCode, 126);
    assert.match(r.denied.message, /^runc: .*permission denied: OCI permission denied$/);
    assert.equal(r.r5.detached, true);
    assert.equal(r.detachedExit, 7);
    assert.equal(r.exit, 137);
    assert.equal(r.sessionDirGone, true);
  },
  createErrors(r) {
    assert.deepEqual(r.missing, {
      exitCode: 127,
      message: 'runc: runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found',
    });
    assert.equal(r.isdir.exitCode, 126);
    assert.match(r.isdir.message, /^runc: runc create failed: .*"\/bin": permission denied: OCI permission denied$/);
    assert.equal(r.missingState, undefined);
  },
  oci(r) {
    assert.equal(r.running, 'running');
    if ('paused' in r) assert.deepEqual([r.paused, r.resumed], ['paused', 'running']);
    assert.equal(r.exit, 137);
    assert.match(r.killStopped.message, /^runc kill ocictl: /);
    assert.equal(r.unknown, undefined);
    assert.equal(r.killUnknown.message, 'runc kill nosuch: container does not exist');
    assert.equal(r.deleteUnknown, 'ok');
  },
  fastStart(r) {
    // runc: started with no runc process but the `state` asked afterwards
    assert.deepEqual(r.runc, { impl: 'Runc', state: 'running', calls: ['state'] });
    assert.deepEqual(r.crun, { impl: 'Crun', state: 'running', calls: ['start', 'state'] });
  },
};

async function runScenarios(ctx: Ctx): Promise<Results> {
  const res: Results = {};
  for (const [name, fn] of Object.entries(scenarios)) {
    try {
      res[name] = await fn(ctx);
    } catch (err) {
      res[name] = { error: (err as Error).stack ?? String(err) };
    }
  }
  for (const id of ctx.ids) await destroy(ctx, id);
  return res;
}

/** conmon daemons started from dir that are still alive (zombies excepted: PID 1 reaps late here). */
function liveConmons(dir: string): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmd.startsWith(which('conmon') ?? '/usr/bin/conmon') && cmd.includes(dir) && pidAlive(pid);
    } catch {
      return false;
    }
  });
}

if (MODE === 'tty-client') {
  const how = await attach({
    socketPath: process.env.TSMAN_TTY_SOCKET!, ctlPath: process.env.TSMAN_TTY_CTL, stdin: process.stdin,
    stdout: process.stdout, stderr: process.stderr, tty: true, onConnected: () => { process.stdout.write('ATTACHED\r\n'); },
  });
  process.stdout.write(`\r\nRESULT ${how} raw=${process.stdin.isRaw}\r\n`);
  process.exit(0);
} else if (MODE === 'scenarios') {
  const ctx = setup(process.env.TSMAN_CONMON_TEST_DIR!, true);
  const res = await runScenarios(ctx);
  process.stdout.write(`RESULT ${JSON.stringify(res)}\n`);
} else {
  test('parseDetachKeys', () => {
    assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [16, 17]);
    assert.deepEqual([...parseDetachKeys('a,ctrl-[,ctrl-@,ctrl-_')], [97, 27, 0, 31]);
    assert.equal(parseDetachKeys('').length, 0);
    assert.throws(() => parseDetachKeys('ctrl-1'), /invalid detach keys/);
  });

  test('ociRuntimeError maps messages as podman does', () => {
    const e1 = ociRuntimeError('runc', 'runc create failed: exec: "x": executable file not found in $PATH\n');
    assert.equal(e1.message, 'runc: runc create failed: exec: "x": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found');
    assert.equal(e1.exitCode, 127);
    const e2 = ociRuntimeError('crun', 'first line\nsetting rlimits: Operation not permitted');
    assert.deepEqual([e2.message, e2.exitCode], ['crun: setting rlimits: Operation not permitted: OCI permission denied', 126]);
    const e3 = ociRuntimeError('runc', 'something else');
    assert.deepEqual([e3.message, e3.exitCode], ['runc: something else: OCI runtime error', 126]);
  });

  test('findRuntime', () => {
    const runc = which('runc');
    if (runc) {
      assert.equal(findRuntime('runc', { unified: false }).name, 'runc');
      const fb = findRuntime('crun', { unified: false });
      assert.deepEqual([fb.name, typeof fb.fallbackReason], ['runc', 'string']);
    }
    assert.throws(() => findRuntime('no-such-runtime', { unified: true }), /default OCI runtime "no-such-runtime" not found: invalid argument/);
    assert.throws(() => findRuntime('/no/such-runtime', { unified: true }), /no valid executable found for OCI runtime \/no\/such-runtime: invalid argument/);
  });

  test('openRuntime: the implementation by the runtime\'s name', () => {
    const runc = openRuntime({ name: 'runc', path: '/usr/bin/runc' }, '/run/r');
    assert.ok(runc instanceof Runc);
    assert.deepEqual([runc.name, runc.path, runc.root], ['runc', '/usr/bin/runc', '/run/r']);
    const crun = openRuntime({ name: 'crun', path: '/opt/bin/crun' }, '/run/c');
    assert.ok(crun instanceof Crun && !(crun instanceof Runc));
    assert.deepEqual([crun.name, crun.path, crun.root], ['crun', '/opt/bin/crun', '/run/c']);
    // another runtime: the standard command line, no runc shortcut
    const other = openRuntime({ name: 'youki', path: '/usr/local/bin/youki' }, '/run/y');
    assert.ok(other instanceof OciCli && !(other instanceof Runc) && !(other instanceof Crun));
    assert.equal(other.name, 'youki');
    // findRuntime's choice goes straight in: crun on this host's layout becomes runc's implementation
    const runcPath = which('runc');
    if (runcPath) {
      assert.ok(openRuntime(findRuntime('crun', { unified: false }), '/run/x') instanceof Runc);
      // a configured path (--runtime /usr/bin/runc, an [engine.runtimes] entry) is named by its base name
      const byPath = openRuntime(findRuntime(runcPath, { unified: false }), '/run/x');
      assert.ok(byPath instanceof Runc);
      assert.deepEqual([byPath.name, byPath.path], ['runc', runcPath]);
    }
  });

  const missing = ['conmon', 'runc'].filter((t) => !which(t));
  const skip = process.getuid!() !== 0 ? 'needs root' : missing.length ? `missing ${missing.join(', ')}` : !fs.existsSync('/bin/busybox') ? 'no /bin/busybox' : false;

  // the skips are on each test, not on the describe: a skipped describe hides its tests from the counts
  describe('root', () => {
    let ctx: Ctx;
    before(() => { if (!skip) ctx = setup(fs.mkdtempSync(path.join(tmpdir(), 'tsman-conmon-')), false); });
    after(async () => {
      if (skip) return;
      for (const id of ctx.ids) await destroy(ctx, id);
      assert.deepEqual(liveConmons(ctx.dir), []);
      fs.rmSync(ctx.dir, { recursive: true, force: true });
    });
    for (const name of Object.keys(scenarios)) {
      test(name, { timeout: 60_000, skip }, async () => checks[name]!(await scenarios[name]!(ctx)));
    }
  });

  const testUser = process.env.TSMAN_TEST_USER || 'tsmantest';
  const user = lookupUser(testUser);
  const userSkip = skip || (!user ? `no ${testUser} user (hack/test-user.sh)`
    : readSubIds('/etc/subuid', { uid: user.uid, name: user.name }).length === 0 ? `${testUser} has no subuid range` : false);

  describe('rootless', () => {
    let dir: string;
    let results: Results = {};
    before(async () => {
      if (userSkip) return;
      dir = fs.mkdtempSync(path.join(tmpdir(), 'tsman-conmon-rl-'));
      for (const p of [dir, path.join(dir, 'run'), path.join(dir, 'w')]) {
        if (p !== dir) fs.mkdirSync(p, { mode: 0o700 });
        fs.chownSync(p, user!.uid, user!.gid);
      }
      const userns = fileURLToPath(new URL('../../src/userns/index.js', import.meta.url));
      const script = path.join(dir, 'outer.mjs');
      fs.writeFileSync(script, `import * as u from ${JSON.stringify(userns)};
const c = await u.runInUserNamespace(process.env.XDG_RUNTIME_DIR, process.execPath, [${JSON.stringify(SELF)}], { stdio: 'inherit' });
c.on('exit', (code) => process.exit(code ?? 1));
`, { mode: 0o644 });
      const child = spawn(process.execPath, [script], {
        uid: user!.uid, gid: user!.gid, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH!, HOME: dir, XDG_RUNTIME_DIR: path.join(dir, 'run'), TSMAN_CONMON_TEST_MODE: 'scenarios', TSMAN_CONMON_TEST_DIR: path.join(dir, 'w') },
      });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { out += d; });
      await new Promise((r) => child.on('close', r));
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) throw new Error(`no results from the user namespace:\n${out}`);
      results = JSON.parse(line.slice(7));
    });
    after(async () => {
      if (userSkip) return;
      // should the inner run have died half-way: its containers (runc state in w/runc), then conmons
      const rt = new Runc(which('runc')!, path.join(dir, 'w', 'runc'));
      for (const id of fs.existsSync(rt.root) ? fs.readdirSync(rt.root) : []) await rt.delete(id, true).catch(() => undefined);
      const left = liveConmons(dir);
      for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      await migrate(path.join(dir, 'run')).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
      assert.deepEqual(left, []);
    });
    for (const name of Object.keys(scenarios)) {
      test(name, { skip: userSkip }, () => {
        const r = results[name];
        if (r && typeof r === 'object' && 'error' in r) assert.fail(r.error);
        checks[name]!(r);
      });
    }
  });
}
