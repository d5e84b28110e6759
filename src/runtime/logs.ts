// Reading the k8s-file log conmon writes: one record per line,
//   <RFC3339Nano local time> <stdout|stderr> <F|P> <text>
// where P marks a partial line (the container wrote no newline yet; the next record continues it).
// Output follows podman 4.3's `logs`: each record's text on its own stream, a newline after F
// records only, and with timestamps the record's time (Go's RFC3339Nano: trailing zeros of the
// fraction dropped, "Z" for a zero offset) and a space before the text.
import { promises as fsp, watch, type FSWatcher } from 'node:fs';
import { errnoCode, TsmanError } from '../errors.js';

export type LogStream = 'stdout' | 'stderr';

export interface LogRecord {
  /** the timestamp as written */
  time: string;
  /** milliseconds since the epoch (for since/until) */
  ms: number;
  stream: LogStream;
  partial: boolean;
  text: string;
}

export interface ReadLogsOptions {
  since?: Date;
  until?: Date;
  /** the last N lines (a partial line at the very end counts as one); undefined: all */
  tail?: number;
  timestamps: boolean;
  follow: boolean;
  /** follow only: polled while the log is idle; once true, the rest of the file is read and following ends */
  stopWhen?: () => Promise<boolean>;
  /** follow only: ends following */
  signal?: AbortSignal;
  /** follow only: how often an idle log is checked, besides inotify (default 250 ms) */
  pollMs?: number;
}

const TS_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/;

/** Parse one log line (without its newline); undefined when it is not a k8s-file record. */
export function parseLogLine(line: string): LogRecord | undefined {
  const a = line.indexOf(' ');
  if (a < 0) return undefined;
  const b = line.indexOf(' ', a + 1);
  if (b < 0) return undefined;
  const c = line.indexOf(' ', b + 1);
  const time = line.slice(0, a);
  const stream = line.slice(a + 1, b);
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  if (!TS_RE.test(time)) return undefined;
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return undefined;
  // a tag is F or P, possibly more flags after a colon (CRI: "F:x")
  const flags = tag.split(':')[0]!;
  return { time, ms, stream, partial: flags === 'P', text: c < 0 ? '' : line.slice(c + 1) };
}

/** A timestamp as Go's time.Format(time.RFC3339Nano) prints it. */
export function formatLogTime(time: string): string {
  const m = TS_RE.exec(time);
  if (!m) return time;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  let zone = m[3]!;
  if (zone !== 'Z') {
    const z = zone.replace(':', '');
    zone = /^[+-]0000$/.test(z) ? 'Z' : `${z.slice(0, 3)}:${z.slice(3)}`;
  }
  return `${m[1]}${frac ? `.${frac}` : ''}${zone}`;
}

/** The text `podman logs` prints for a record. */
export function formatRecord(r: LogRecord, timestamps: boolean): string {
  return `${timestamps ? `${formatLogTime(r.time)} ` : ''}${r.text}${r.partial ? '' : '\n'}`;
}

/**
 * The byte offset where the last `tail` lines start. Read backwards in chunks: a full (F) record
 * ends a line, the P records before it belong to it; a P record at the very end counts as a line.
 */
async function tailOffset(fh: fsp.FileHandle, size: number, tail: number): Promise<number> {
  if (tail <= 0) return size;
  const CHUNK = 64 * 1024;
  let pos = size;
  let carry = Buffer.alloc(0);
  let count = 0;
  let first = true;
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    const chunk = Buffer.alloc(len);
    await fh.read(chunk, 0, len, pos);
    const data = Buffer.concat([chunk, carry]); // the bytes [pos, pos + data.length)
    // lineEnd: exclusive end of the current line, at a newline or at the end of the file
    let lineEnd = data.length;
    for (;;) {
      const nl = lineEnd === 0 ? -1 : data.lastIndexOf(0x0a, lineEnd - 1);
      if (nl < 0 && pos > 0) break; // the line starts in an earlier chunk
      const line = data.toString('utf8', nl + 1, lineEnd);
      const rec = line === '' ? undefined : parseLogLine(line);
      if (rec && (!rec.partial || first)) {
        count++;
        first = false;
        if (count > tail) return pos + lineEnd + 1;
      }
      if (nl < 0) return 0;
      lineEnd = nl;
    }
    carry = data.subarray(0, lineEnd);
  }
  return 0;
}

/**
 * Print a container's log through `out` (stream, text ready to write). With `follow`, keep reading
 * what conmon appends until `stopWhen` says the container is gone (then drain) or `signal` aborts.
 */
export async function readLogs(
  file: string,
  opts: ReadLogsOptions,
  out: (stream: LogStream, text: string) => void,
): Promise<void> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' && opts.follow) {
      fh = await waitForFile(file, opts);
    } else if (errnoCode(err) === 'ENOENT') {
      return; // nothing logged (yet), or log driver none
    } else {
      throw new TsmanError('EGENERIC', `read log \`${file}\`: ${errnoCode(err) ?? (err as Error).message}`, { cause: err });
    }
  }
  const emit = (line: string) => {
    if (line === '') return;
    const r = parseLogLine(line);
    if (!r) return;
    if (opts.since && r.ms < opts.since.getTime()) return;
    if (opts.until && r.ms > opts.until.getTime()) return;
    out(r.stream, formatRecord(r, opts.timestamps));
  };
  try {
    let st = await fh.stat();
    let pos = opts.tail === undefined ? 0 : await tailOffset(fh, st.size, opts.tail);
    let rest = '';
    const buf = Buffer.alloc(64 * 1024);
    /** Read from pos to the current end; complete lines are emitted, an unterminated tail kept. */
    const drain = async (): Promise<boolean> => {
      let any = false;
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) return any;
        any = true;
        pos += bytesRead;
        const text = rest + buf.toString('utf8', 0, bytesRead);
        const lines = text.split('\n');
        rest = lines.pop()!;
        for (const l of lines) emit(l);
      }
    };
    await drain();
    if (!opts.follow) {
      emit(rest);
      return;
    }
    const pollMs = opts.pollMs ?? 250;
    let watcher: FSWatcher | undefined;
    let wake: (() => void) | undefined;
    try {
      watcher = watch(file, () => wake?.());
      watcher.on('error', () => {});
    } catch { /* polling only */ }
    const onAbort = () => wake?.();
    opts.signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (opts.signal?.aborted) return;
        if (await drain()) continue;
        // rotated (conmon's --log-size-max reopens a new file) or truncated: start over
        const now = await fsp.stat(file).catch(() => undefined);
        if (now && (now.ino !== st.ino || now.size < pos)) {
          await fh.close();
          fh = await fsp.open(file, 'r');
          st = await fh.stat();
          pos = 0;
          rest = '';
          continue;
        }
        if (opts.stopWhen && await opts.stopWhen()) {
          await drain();
          emit(rest);
          return;
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => { wake = undefined; resolve(); }, pollMs);
          wake = () => { clearTimeout(t); wake = undefined; resolve(); };
        });
      }
    } finally {
      watcher?.close();
      opts.signal?.removeEventListener('abort', onAbort);
    }
  } finally {
    await fh.close().catch(() => {});
  }
}

async function waitForFile(file: string, opts: ReadLogsOptions): Promise<fsp.FileHandle> {
  for (;;) {
    try {
      return await fsp.open(file, 'r');
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    if (opts.signal?.aborted || (opts.stopWhen && await opts.stopWhen())) {
      // nothing will come: an empty stand-in
      return fsp.open('/dev/null', 'r');
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}
