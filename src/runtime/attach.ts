// Talking to conmon's attach socket: a unix SOCK_SEQPACKET socket at `<bundle>/attach` (conmon is
// started with --full-attach, so the socket sits in the bundle, not under --socket-dir-path).
// Every packet from conmon is one byte naming the stream (conmon's stdpipe_t: 2 stdout, 3 stderr)
// followed by the data; whatever we write goes to the container's stdin, and shutting down our
// write side makes conmon close that stdin (podman: conn.CloseWrite()). Resizes go to the `ctl`
// fifo next to the socket as "1 <rows> <cols>\n" (conmon's WIN_RESIZE_EVENT).
// Node's net module cannot open SEQPACKET sockets: the socket calls are koffi bindings
// (src/util/libc.ts); waits run as async calls in koffi's worker threads, the data moves in
// non-blocking calls on the main thread.
import { closeSync, constants as fsc, openSync, writeSync } from 'node:fs';
import { TsmanError } from '../errors.js';
import {
  closeFd, pollAsync, POLLIN, POLLOUT, recvNonBlocking, sendNonBlocking, shutdownSocket, unixConnect,
  SHUT_RDWR, SHUT_WR,
} from '../util/libc.js';

/** conmon's stdpipe_t (podman: AttachPipeStdin/Stdout/Stderr) */
export const ATTACH_PIPE_STDIN = 1;
export const ATTACH_PIPE_STDOUT = 2;
export const ATTACH_PIPE_STDERR = 3;

/** containers.conf's default `detach_keys` */
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const O_PATH = 0o10000000;
/** conmon reads the attach socket in chunks of CONN_SOCK_BUF_SIZE (32 KiB); a longer packet would be cut */
const MAX_PACKET = 8192;
/** poll timeout: how late a stopped loop notices, should the wake-up by shutdown(2) be missed */
const POLL_MS = 1000;

/**
 * The bytes of a detach sequence, as docker's term.ToBytes: comma-separated keys, each a single
 * character or `ctrl-<x>` for x in a-z, @, [, \, ], ^, _. An empty string disables detaching.
 */
export function parseDetachKeys(keys: string): Buffer {
  if (keys === '') return Buffer.alloc(0);
  const out: number[] = [];
  for (const raw of keys.split(',')) {
    const key = raw.trim();
    const lower = key.toLowerCase();
    if (lower.startsWith('ctrl-') && key.length === 6) {
      const c = lower.charCodeAt(5);
      if (c >= 0x61 && c <= 0x7a) { out.push(c - 0x60); continue; }
      const special: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, '_': 31 };
      const v = special[key[5]!];
      if (v !== undefined) { out.push(v); continue; }
    } else if (key.length === 1) {
      out.push(key.charCodeAt(0));
      continue;
    }
    throw new TsmanError('EUSAGE', `invalid detach keys: unknown character: '${key}'`);
  }
  return Buffer.from(out);
}

/** Write a terminal size to conmon's ctl fifo (never blocks: the fifo has no reader once conmon is gone). */
export function resizeTerminal(ctlPath: string, rows: number, cols: number): void {
  const fd = openSync(ctlPath, fsc.O_WRONLY | fsc.O_NONBLOCK);
  try {
    writeSync(fd, `1 ${rows} ${cols}\n`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Connect to an attach socket. The path may be longer than sun_path allows: like podman, open the
 * socket file with O_PATH and connect through /proc/self/fd/N.
 */
export function connectAttachSocket(socketPath: string): number {
  let pathFd: number;
  try {
    pathFd = openSync(socketPath, O_PATH);
  } catch (err) {
    throw new TsmanError('EGENERIC', `failed to connect to container's attach socket: ${socketPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  try {
    return unixConnect(`/proc/self/fd/${pathFd}`);
  } catch (err) {
    throw new TsmanError('EGENERIC', `failed to connect to container's attach socket: ${socketPath}: ${(err as { code?: string }).code ?? (err as Error).message}`, { cause: err });
  } finally {
    closeSync(pathFd);
  }
}

type TtyIn = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown; isRaw?: boolean };
type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };

export interface AttachOptions {
  socketPath: string;
  /** conmon's ctl fifo, for terminal resizes (tty only) */
  ctlPath?: string;
  stdin?: TtyIn;
  stdout: Out;
  stderr: Out;
  tty: boolean;
  /** "ctrl-p,ctrl-q" by default; "" disables detaching */
  detachKeys?: string;
  /** Runs once the socket is connected and before output is read: start the container or exec session here. */
  onConnected?: () => void | Promise<void>;
  /** the terminal size to pass on (default: stdout's, when it is a terminal) */
  getSize?: () => { rows: number; cols: number } | undefined;
}

/**
 * Attach to a container through conmon. Resolves 'exited' when conmon closes the connection (the
 * container ended), 'detached' when the detach sequence was typed (the container keeps running).
 */
export async function attach(opts: AttachOptions): Promise<'exited' | 'detached'> {
  const keys = parseDetachKeys(opts.detachKeys ?? DEFAULT_DETACH_KEYS);
  const fd = connectAttachSocket(opts.socketPath);
  let stopped = false;
  let result: 'exited' | 'detached' = 'exited';
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => { finish = resolve; });

  const stop = (why: 'exited' | 'detached') => {
    if (stopped) return;
    stopped = true;
    result = why;
    try { shutdownSocket(fd, SHUT_RDWR); } catch { /* already gone */ }
    finish();
  };

  try {
    await opts.onConnected?.();
  } catch (err) {
    closeFd(fd);
    throw err;
  }

  // ---- output: conmon -> stdout/stderr ----
  const readLoop = (async () => {
    const buf = Buffer.alloc(65536);
    try {
      await readPackets(buf);
    } finally {
      stop('exited');
    }
  })();
  async function readPackets(buf: Buffer): Promise<void> {
    while (!stopped) {
      let n: number | null | undefined;
      try {
        n = recvNonBlocking(fd, buf);
      } catch {
        n = null;
      }
      if (n === null) break;
      if (n === undefined) {
        await pollAsync(fd, POLLIN, POLL_MS);
        continue;
      }
      if (n < 2) continue;
      const pipe = buf[0];
      const dst = pipe === ATTACH_PIPE_STDOUT ? opts.stdout : pipe === ATTACH_PIPE_STDERR ? opts.stderr : undefined;
      if (!dst) continue;
      if (!dst.write(Buffer.from(buf.subarray(1, n)))) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 5000);
          dst.once('drain', () => { clearTimeout(t); resolve(); });
        });
      }
    }
  }

  // ---- input: stdin -> conmon, watching for the detach sequence ----
  let pending = 0;
  let writing: Promise<void> = Promise.resolve();
  const sendAll = async (data: Buffer): Promise<void> => {
    for (let off = 0; off < data.length && !stopped;) {
      const chunk = data.subarray(off, off + MAX_PACKET);
      let n: number | undefined;
      try {
        n = sendNonBlocking(fd, chunk);
      } catch {
        return; // conmon is gone: the read side sees the end
      }
      if (n === undefined) {
        await pollAsync(fd, POLLOUT, POLL_MS);
        continue;
      }
      off += n;
    }
  };
  const stdin = opts.stdin;
  const queue = (data: Buffer) => {
    if (data.length === 0) return;
    pending += data.length;
    if (pending > 1 << 20) stdin?.pause();
    writing = writing.then(() => sendAll(data)).catch(() => {}).finally(() => {
      pending -= data.length;
      if (pending <= 1 << 20 && !stopped) stdin?.resume();
    });
  };

  let matched = 0;
  const onData = (chunk: Buffer | string) => {
    if (stopped) return;
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (keys.length === 0) { queue(data); return; }
    const out: number[] = [];
    for (const b of data) {
      if (b === keys[matched]) {
        matched++;
        if (matched === keys.length) {
          queue(Buffer.from(out));
          void writing.then(() => stop('detached'));
          stdin?.off('data', onData);
          return;
        }
        continue;
      }
      if (matched > 0) {
        for (let i = 0; i < matched; i++) out.push(keys[i]!);
        matched = 0;
        if (b === keys[0]) { matched = 1; continue; }
      }
      out.push(b);
    }
    queue(Buffer.from(out));
  };
  const onEnd = () => {
    const held = keys.subarray(0, matched);
    matched = 0;
    queue(Buffer.from(held));
    void writing.then(() => {
      if (!stopped) {
        try { shutdownSocket(fd, SHUT_WR); } catch { /* gone */ }
      }
    });
  };

  let rawSet = false;
  if (stdin) {
    if (opts.tty && stdin.isTTY && stdin.setRawMode && !stdin.isRaw) {
      stdin.setRawMode(true);
      rawSet = true;
    }
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  }

  // ---- terminal size ----
  const getSize = opts.getSize ?? (() => (opts.stdout.isTTY && opts.stdout.columns && opts.stdout.rows
    ? { rows: opts.stdout.rows, cols: opts.stdout.columns } : undefined));
  const sendSize = () => {
    if (!opts.ctlPath || stopped) return;
    const size = getSize();
    if (!size) return;
    try { resizeTerminal(opts.ctlPath, size.rows, size.cols); } catch { /* conmon gone or not a tty */ }
  };
  const onWinch = () => sendSize();
  if (opts.tty && opts.ctlPath) {
    sendSize();
    process.on('SIGWINCH', onWinch);
  }

  try {
    await done;
    await readLoop;
    await writing.catch(() => {});
  } finally {
    process.off('SIGWINCH', onWinch);
    if (stdin) {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      if (rawSet) stdin.setRawMode?.(false);
    }
    closeFd(fd);
  }
  return result;
}
