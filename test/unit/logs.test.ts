import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readLogs, parseLogLine, formatLogTime, type ReadLogsOptions } from '../../src/runtime/logs.js';

const dir = fs.mkdtempSync(path.join(tmpdir(), 'tsman-logs-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function logFile(text: string): string {
  const f = path.join(dir, `log-${n++}`);
  fs.writeFileSync(f, text);
  return f;
}

async function read(file: string, opts: Partial<ReadLogsOptions> = {}): Promise<{ stdout: string; stderr: string; all: string[] }> {
  const res = { stdout: '', stderr: '', all: [] as string[] };
  await readLogs(file, { timestamps: false, follow: false, ...opts }, (s, t) => {
    res[s] += t;
    res.all.push(`${s}:${t}`);
  });
  return res;
}

// What conmon wrote for `sh -c 'echo out; echo err >&2; printf partial'` under podman 4.3.1,
// and what `podman logs -t` printed for it.
const PODMAN = [
  '2026-11-23T11:27:42.819954912+00:00 stdout F out',
  '2026-11-23T11:27:42.819954912+00:00 stdout P partial',
  '2026-11-23T11:27:42.820053045+00:00 stderr F err',
  '',
].join('\n');

test('parseLogLine', () => {
  assert.deepEqual(parseLogLine('2026-11-23T11:27:42.819954912+00:00 stdout P a b  c'), {
    time: '2026-11-23T11:27:42.819954912+00:00', ms: Date.parse('2026-11-23T11:27:42.819Z'), stream: 'stdout', partial: true, text: 'a b  c',
  });
  assert.equal(parseLogLine('2026-11-23T11:27:42.8+00:00 stderr F ')?.text, '');
  assert.equal(parseLogLine('2026-11-23T11:27:42.8+00:00 stderr F')?.text, '');
  assert.equal(parseLogLine('garbage stdout F x'), undefined);
  assert.equal(parseLogLine('2026-11-23T11:27:42.8+00:00 stdin F x'), undefined);
});

test('formatLogTime is Go\'s RFC3339Nano', () => {
  assert.equal(formatLogTime('2026-11-23T11:27:42.819954912+00:00'), '2026-11-23T11:27:42.819954912Z');
  assert.equal(formatLogTime('2026-11-23T11:27:42.820000000+01:00'), '2026-11-23T11:27:42.82+01:00');
  assert.equal(formatLogTime('2026-11-23T11:27:42.000000000-05:30'), '2026-11-23T11:27:42-05:30');
  assert.equal(formatLogTime('2026-11-23T11:27:42Z'), '2026-11-23T11:27:42Z');
});

test('podman logs output, with and without timestamps', async () => {
  const f = logFile(PODMAN);
  assert.deepEqual(await read(f), {
    stdout: 'out\npartial', stderr: 'err\n', all: ['stdout:out\n', 'stdout:partial', 'stderr:err\n'],
  });
  const t = await read(f, { timestamps: true });
  assert.equal(t.stdout, '2026-11-23T11:27:42.819954912Z out\n2026-11-23T11:27:42.819954912Z partial');
  assert.equal(t.stderr, '2026-11-23T11:27:42.820053045Z err\n');
});

test('missing log: nothing', async () => {
  assert.deepEqual(await read(path.join(dir, 'nope')), { stdout: '', stderr: '', all: [] });
});

test('tail counts full lines; partial records go with the line they start', async () => {
  const ts = '2026-01-01T00:00:00.000000001+00:00';
  const f = logFile([
    `${ts} stdout F one`, `${ts} stdout P tw`, `${ts} stdout F o`, `${ts} stderr F three`, `${ts} stdout P fo`, `${ts} stdout P ur`, '',
  ].join('\n'));
  assert.deepEqual((await read(f, { tail: 1 })).all, ['stdout:fo', 'stdout:ur']);
  assert.deepEqual((await read(f, { tail: 2 })).all, ['stderr:three\n', 'stdout:fo', 'stdout:ur']);
  assert.deepEqual((await read(f, { tail: 3 })).all, ['stdout:tw', 'stdout:o\n', 'stderr:three\n', 'stdout:fo', 'stdout:ur']);
  assert.equal((await read(f, { tail: 4 })).all.length, 6);
  assert.equal((await read(f, { tail: 100 })).all.length, 6);
  assert.deepEqual((await read(f, { tail: 0 })).all, []);
});

test('tail across read chunks of a large log', async () => {
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) lines.push(`2026-01-01T00:00:00.${String(i).padStart(9, '0')}+00:00 stdout F line ${i} ${'x'.repeat(i % 50)}`);
  const f = logFile(lines.join('\n') + '\n');
  const r = await read(f, { tail: 1200 });
  assert.equal(r.all.length, 1200);
  assert.equal(r.all[0], `stdout:line 3800 ${'x'.repeat(0)}\n`);
  assert.equal(r.all.at(-1), `stdout:line 4999 ${'x'.repeat(49)}\n`);
  assert.equal((await read(f, { tail: 5000 })).all.length, 5000);
  assert.equal((await read(f, { tail: 4999 })).all[0], `stdout:line 1 ${'x'.repeat(1)}\n`);
});

test('since and until', async () => {
  const f = logFile([
    '2026-01-01T00:00:01.000000000+00:00 stdout F a',
    '2026-01-01T01:00:02.000000000+01:00 stdout F b', // 00:00:02Z
    '2026-01-01T00:00:03.500000000+00:00 stdout F c',
    '',
  ].join('\n'));
  assert.equal((await read(f, { since: new Date('2026-01-01T00:00:02Z') })).stdout, 'b\nc\n');
  assert.equal((await read(f, { until: new Date('2026-01-01T00:00:02Z') })).stdout, 'a\nb\n');
  assert.equal((await read(f, { since: new Date('2026-01-01T00:00:01.5Z'), until: new Date('2026-01-01T00:00:03Z') })).stdout, 'b\n');
  assert.equal((await read(f, { tail: 1, since: new Date('2026-01-01T00:00:04Z') })).stdout, '');
});

test('follow: reads what is appended, stops once stopWhen holds and the file is drained', async () => {
  const f = logFile('2026-01-01T00:00:01.0+00:00 stdout F first\n');
  let stop = false;
  const got: string[] = [];
  const done = readLogs(f, { timestamps: false, follow: true, pollMs: 20, stopWhen: async () => stop }, (s, t) => got.push(`${s}:${t}`));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(got, ['stdout:first\n']);
  // a record written in two pieces is emitted once complete
  fs.appendFileSync(f, '2026-01-01T00:00:02.0+00:00 std');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(got, ['stdout:first\n']);
  fs.appendFileSync(f, 'err F second\n');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(got, ['stdout:first\n', 'stderr:second\n']);
  fs.appendFileSync(f, '2026-01-01T00:00:03.0+00:00 stdout F last\n');
  stop = true;
  await done;
  assert.deepEqual(got, ['stdout:first\n', 'stderr:second\n', 'stdout:last\n']);
});

test('follow: a replaced (rotated) log is read from its start; abort ends following', async () => {
  const f = logFile('2026-01-01T00:00:01.0+00:00 stdout F old\n');
  const ac = new AbortController();
  const got: string[] = [];
  const done = readLogs(f, { timestamps: false, follow: true, tail: 1, pollMs: 20, signal: ac.signal }, (_s, t) => got.push(t));
  await new Promise((r) => setTimeout(r, 60));
  const tmp = `${f}.new`;
  fs.writeFileSync(tmp, '2026-01-01T00:00:02.0+00:00 stdout F new\n');
  fs.renameSync(tmp, f);
  for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  ac.abort();
  await done;
  assert.deepEqual(got, ['old\n', 'new\n']);
});

test('follow: waits for a log that does not exist yet', async () => {
  const f = path.join(dir, 'later');
  let stop = false;
  const got: string[] = [];
  const done = readLogs(f, { timestamps: false, follow: true, pollMs: 20, stopWhen: async () => stop }, (_s, t) => got.push(t));
  await new Promise((r) => setTimeout(r, 60));
  fs.writeFileSync(f, '2026-01-01T00:00:02.0+00:00 stdout F hello\n');
  await new Promise((r) => setTimeout(r, 100));
  stop = true;
  await done;
  assert.deepEqual(got, ['hello\n']);
});
