// A small tar writer: ustar headers, with a PAX extended header in front when a field does not fit
// (long names/link names, big ids or sizes, fractional or out-of-range mtimes, non-ASCII names,
// xattrs). Used by tests, test-image builders, `save` and `cp`.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { TsmanError } from '../errors.js';

export type TarWriteType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarWriteEntry {
  path: string;
  type: TarWriteType;
  /** permission bits incl. setuid/setgid/sticky; default 0o644 (files), 0o755 (dirs), 0o777 (symlinks) */
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** seconds since the epoch (fractional allowed) or a Date; default 0 */
  mtime?: number | Date;
  linkname?: string;
  /** the whole body of a file; for streamed bodies give `size` and pass the body to TarWriter.add */
  data?: Buffer | string;
  size?: number;
  xattrs?: Record<string, Buffer | string>;
  devmajor?: number;
  devminor?: number;
}

export interface TarWriteOptions {
  /** write long names as GNU `L`/`K` entries instead of PAX (tests of the reader need both) */
  gnuLongNames?: boolean;
}

const BLOCK = 512;
const FLAGS: Record<TarWriteType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

function fitsOctal(v: number, width: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < 8 ** (width - 1);
}

function putOctal(buf: Buffer, off: number, width: number, v: number): void {
  const s = (fitsOctal(v, width) ? v : 0).toString(8).padStart(width - 1, '0');
  buf.write(s, off, width - 1, 'latin1');
  buf[off + width - 1] = 0;
}

function putStr(buf: Buffer, off: number, width: number, s: string): void {
  Buffer.from(s, 'utf8').copy(buf, off, 0, width);
}

/** One PAX record; its decimal length counts itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.byteLength(key) + value.length + 3; // ' ', '=', '\n'
  let len = rest + 1;
  while (len !== rest + String(len).length) len = rest + String(len).length;
  return Buffer.concat([Buffer.from(`${len} ${key}=`, 'utf8'), value, Buffer.from('\n')]);
}

function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x01-\x7f]*$/.test(s);
}

/** Split a name into ustar prefix (<=155 bytes) and name (<=100 bytes) at a slash, if possible. */
function splitUstar(name: string): [string, string] | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= 100) return ['', name];
  if (name.length > 256) return undefined;
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) return [prefix, rest];
    if (rest.length > 100) return undefined;
  }
  return undefined;
}

function rawHeader(name: string, prefix: string, flag: string, f: {
  mode: number; uid: number; gid: number; size: number; mtime: number; linkname: string;
  uname: string; gname: string; devmajor: number; devminor: number; gnu: boolean;
}): Buffer {
  const h = Buffer.alloc(BLOCK);
  putStr(h, 0, 100, name);
  putOctal(h, 100, 8, f.mode);
  putOctal(h, 108, 8, f.uid);
  putOctal(h, 116, 8, f.gid);
  putOctal(h, 124, 12, f.size);
  putOctal(h, 136, 12, f.mtime);
  h.fill(0x20, 148, 156);
  h.write(flag, 156, 1, 'latin1');
  putStr(h, 157, 100, f.linkname);
  h.write(f.gnu ? 'ustar  \0' : 'ustar\u000000', 257, 8, 'latin1');
  putStr(h, 265, 32, f.uname);
  putStr(h, 297, 32, f.gname);
  putOctal(h, 329, 8, f.devmajor);
  putOctal(h, 337, 8, f.devminor);
  if (!f.gnu) putStr(h, 345, 155, prefix);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i]!;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return h;
}

export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

function metaEntry(name: string, flag: string, body: Buffer, gnu: boolean): Buffer {
  const h = rawHeader(name, '', flag, {
    mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: 0, linkname: '', uname: '', gname: '', devmajor: 0, devminor: 0, gnu,
  });
  return Buffer.concat([h, body, padding(body.length)]);
}

function bodySize(e: TarWriteEntry): number {
  if (e.type !== 'file') return 0;
  if (e.data !== undefined) return typeof e.data === 'string' ? Buffer.byteLength(e.data) : e.data.length;
  return e.size ?? 0;
}

/** The header block(s) of one entry: an optional PAX or GNU long-name entry, then the ustar header. */
export function encodeHeader(e: TarWriteEntry, opts: TarWriteOptions = {}): Buffer {
  let name = e.path;
  if (e.type === 'dir' && !name.endsWith('/')) name += '/';
  const linkname = e.linkname ?? '';
  const size = bodySize(e);
  const mtime = e.mtime instanceof Date ? e.mtime.getTime() / 1000 : e.mtime ?? 0;
  const uid = e.uid ?? 0;
  const gid = e.gid ?? 0;
  const uname = e.uname ?? '';
  const gname = e.gname ?? '';
  const mode = e.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644);
  const gnu = opts.gnuLongNames === true;

  const pax: Buffer[] = [];
  const pre: Buffer[] = [];
  let split = splitUstar(name);
  if (gnu && (name.length > 100 || !isAscii(name))) {
    pre.push(metaEntry('././@LongLink', 'L', Buffer.from(name + '\0', 'utf8'), true));
    split = ['', name.slice(0, 100)];
  } else if (!split || (gnu && split[0] !== '')) {
    pax.push(paxRecord('path', Buffer.from(name, 'utf8')));
    split = ['', name.slice(0, 100)];
  }
  if (Buffer.byteLength(linkname) > 100 || !isAscii(linkname)) {
    if (gnu) pre.push(metaEntry('././@LongLink', 'K', Buffer.from(linkname + '\0', 'utf8'), true));
    else pax.push(paxRecord('linkpath', Buffer.from(linkname, 'utf8')));
  }
  if (!fitsOctal(uid, 8)) pax.push(paxRecord('uid', Buffer.from(String(uid))));
  if (!fitsOctal(gid, 8)) pax.push(paxRecord('gid', Buffer.from(String(gid))));
  if (!fitsOctal(size, 12)) pax.push(paxRecord('size', Buffer.from(String(size))));
  if (!fitsOctal(mtime, 12)) pax.push(paxRecord('mtime', Buffer.from(String(mtime))));
  if (Buffer.byteLength(uname) > 32 || !isAscii(uname)) pax.push(paxRecord('uname', Buffer.from(uname, 'utf8')));
  if (Buffer.byteLength(gname) > 32 || !isAscii(gname)) pax.push(paxRecord('gname', Buffer.from(gname, 'utf8')));
  for (const [k, v] of Object.entries(e.xattrs ?? {})) {
    pax.push(paxRecord(`SCHILY.xattr.${k}`, typeof v === 'string' ? Buffer.from(v, 'utf8') : v));
  }
  if (pax.length > 0) {
    const base = name.replace(/\/+$/, '').split('/').pop() ?? 'x';
    pre.push(metaEntry(`PaxHeaders.0/${base}`.slice(0, 100), 'x', Buffer.concat(pax), false));
  }
  const h = rawHeader(split[1], split[0], FLAGS[e.type], {
    mode, uid, gid, size, mtime: Math.max(0, Math.floor(mtime)), linkname: linkname.slice(0, 100), uname: uname.slice(0, 32), gname: gname.slice(0, 32),
    devmajor: e.devmajor ?? 0, devminor: e.devminor ?? 0, gnu,
  });
  pre.push(h);
  return pre.length === 1 ? h : Buffer.concat(pre);
}

export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/** A whole tar in memory (tests and small archives). */
export function buildTar(entries: TarWriteEntry[], opts: TarWriteOptions = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(encodeHeader(e, opts));
    if (e.type === 'file' && e.data !== undefined) {
      const d = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
      parts.push(d, padding(d.length));
    }
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

/** Streams entries into a Writable, honouring its backpressure. */
export class TarWriter {
  private done = false;
  constructor(private readonly out: Writable, private readonly opts: TarWriteOptions = {}) {}

  private async write(b: Buffer): Promise<void> {
    if (b.length === 0) return;
    if (!this.out.write(b)) await once(this.out, 'drain');
  }

  /** Add one entry; a file's body is `entry.data` or `body` (then `entry.size` must be right). */
  async add(entry: TarWriteEntry, body?: AsyncIterable<Uint8Array>): Promise<void> {
    if (this.done) throw new TsmanError('EGENERIC', 'tar writer: add after finish');
    await this.write(encodeHeader(entry, this.opts));
    if (entry.type !== 'file') return;
    const size = bodySize(entry);
    if (entry.data !== undefined) {
      await this.write(typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data);
    } else if (body) {
      let n = 0;
      for await (const c of body) {
        n += c.length;
        if (n > size) throw new TsmanError('EGENERIC', `tar writer: "${entry.path}" is longer than its declared size ${size}`);
        await this.write(Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength));
      }
      if (n !== size) throw new TsmanError('EGENERIC', `tar writer: "${entry.path}" is ${n} bytes, declared ${size}`);
    } else if (size !== 0) {
      throw new TsmanError('EGENERIC', `tar writer: "${entry.path}" has no body`);
    }
    await this.write(padding(size));
  }

  /** Write the end-of-archive blocks and end the stream. */
  async finish(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.write(END_OF_ARCHIVE);
    this.out.end();
  }
}
