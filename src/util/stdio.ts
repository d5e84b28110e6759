// Output to fd 1 and 2 without Node's stream objects where they are not needed. Reading
// process.stdout the first time costs ~2-3 ms on the test machines (the stream, net or tty
// modules, a libuv handle), paid by every command that prints: a `ps` table, a container's
// `hello`. For a file, a pipe or /dev/null those streams end in a synchronous write(2) on Linux
// anyway (Node's documented behaviour), which is all FdOut does. A terminal or a socket gets the
// real stream (sizes, raw mode, async sockets); so does everything after a write that would block
// (a pipe someone made non-blocking, full) or fails, in order: the rest of that write goes first,
// and the stream then reports the error as it always did. A pipe whose reader has gone (EPIPE)
// ends the process by SIGPIPE, as it ends podman (Node ignores the signal and would report the
// error with a stack trace).
import { fstatSync, writeSync } from 'node:fs';
import { dieOfSigpipe } from './libc.js';

type Callback = (err?: Error | null) => void;

export class FdOut {
  readonly isTTY = false;
  private stream?: NodeJS.WriteStream;

  constructor(private readonly fd: number, private readonly real: () => NodeJS.WriteStream) {}

  write(data: string | Uint8Array, encOrCb?: BufferEncoding | Callback, cb?: Callback): boolean {
    const done = typeof encOrCb === 'function' ? encOrCb : cb;
    if (this.stream) return this.stream.write(data, done);
    let buf = typeof data === 'string' ? Buffer.from(data, typeof encOrCb === 'string' ? encOrCb : 'utf8') : data;
    while (buf.length > 0) {
      try {
        buf = buf.subarray(writeSync(this.fd, buf));
      } catch (err) {
        // the reader is gone (`tsman ps | head -1`): end as podman does, by SIGPIPE, quietly
        if ((err as NodeJS.ErrnoException).code === 'EPIPE') dieOfSigpipe();
        this.stream = this.real();
        return this.stream.write(buf, done);
      }
    }
    if (done) process.nextTick(done, null);
    return true;
  }

  // a write that returned false (only ever the real stream's) is followed by 'drain' there
  once(event: string, listener: (...args: unknown[]) => void): this {
    (this.stream ??= this.real()).once(event, listener);
    return this;
  }
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const DEV_NULL = (1 << 8) | 3;

/** fd is a regular file, a pipe or /dev/null (not a terminal, a socket, or closed). */
export function isPlainOutput(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    const type = st.mode & S_IFMT;
    return type === S_IFREG || type === S_IFIFO || (type === S_IFCHR && st.rdev === DEV_NULL);
  } catch {
    return false;
  }
}

let out: NodeJS.WriteStream | undefined;
let err: NodeJS.WriteStream | undefined;

function writerFor(fd: 1 | 2, real: () => NodeJS.WriteStream): NodeJS.WriteStream {
  // the attach and log code use write() and once('drain'), which FdOut has
  return isPlainOutput(fd) ? new FdOut(fd, real) as unknown as NodeJS.WriteStream : real();
}

/** Where stdout text goes: an FdOut for a file, pipe or /dev/null, else process.stdout. */
export function stdout(): NodeJS.WriteStream {
  return (out ??= writerFor(1, () => process.stdout));
}

/** Where stderr text goes: an FdOut for a file, pipe or /dev/null, else process.stderr. */
export function stderr(): NodeJS.WriteStream {
  return (err ??= writerFor(2, () => process.stderr));
}
