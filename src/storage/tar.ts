// Streaming tar reader for image layers: ustar, GNU long names/links (`L`/`K`), PAX extended
// headers (`x`, global `g`). Pull-based, so a slow consumer (the extractor writing files) is the
// backpressure: no chunk is read from the source until the previous one has been handed out.
// Sparse files (`S`) are refused; unknown type flags are reported as 'other' for the caller to skip.
import { TsmanError } from '../errors.js';

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';

export interface TarHeader {
  /** the name as stored (PAX `path` > GNU `L` > ustar prefix/name); not cleaned */
  name: string;
  type: TarEntryType;
  /** the raw type flag, for messages about 'other' entries */
  typeflag: string;
  /** permission bits including setuid/setgid/sticky */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  size: number;
  /** seconds since the epoch, fractional when PAX says so */
  mtime: number;
  atime?: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** from PAX SCHILY.xattr.*; values are raw bytes */
  xattrs?: Map<string, Buffer>;
}

const BLOCK = 512;
/** bound on PAX / GNU long-name bodies we buffer in memory (a hostile tar could claim gigabytes) */
const MAX_META = 16 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

function formatError(msg: string): TsmanError {
  return new TsmanError('EFORMAT', `read tar: ${msg}`);
}

function cstr(buf: Buffer, off: number, len: number): string {
  let end = buf.indexOf(0, off);
  if (end < 0 || end > off + len) end = off + len;
  return buf.toString('utf8', off, end);
}

/** Octal ASCII (space/NUL padded) or GNU base-256 (high bit of the first byte set). */
function num(buf: Buffer, off: number, len: number): number {
  const first = buf[off]!;
  if (first & 0x80) {
    const neg = first === 0xff;
    let v = neg ? -1 : first & 0x3f;
    for (let i = 1; i < len; i++) v = v * 256 + buf[off + i]!;
    if (!Number.isSafeInteger(v)) throw formatError('numeric field out of range');
    return v;
  }
  let i = off;
  const end = off + len;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) throw formatError(`invalid octal digit in header field at offset ${off % BLOCK}`);
    v = v * 8 + (c - 0x30);
  }
  return v;
}

function checksumOk(h: Buffer): boolean {
  const want = num(h, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return want === unsigned || want === signed;
}

function isZeroBlock(h: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (h[i] !== 0) return false;
  return true;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo',
};

/**
 * Parse PAX records ("<len> <key>=<value>\n"). Values stay bytes: SCHILY.xattr.* values are binary
 * and may contain '\n' or '=' (the length prefix, not a delimiter, bounds them).
 */
export function parsePax(body: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < body.length) {
    if (body[pos] === 0) break; // some writers pad the body with NULs
    const sp = body.indexOf(0x20, pos);
    if (sp < 0 || sp - pos > 20) throw formatError('malformed pax record length');
    const len = Number(body.toString('latin1', pos, sp));
    if (!Number.isSafeInteger(len) || len <= sp - pos + 1 || pos + len > body.length) throw formatError('malformed pax record length');
    const end = pos + len;
    if (body[end - 1] !== 0x0a) throw formatError('pax record does not end with a newline');
    const eq = body.indexOf(0x3d, sp + 1);
    if (eq < 0 || eq >= end) throw formatError('pax record without "="');
    const key = body.toString('utf8', sp + 1, eq);
    out.set(key, body.subarray(eq + 1, end - 1));
    pos = end;
  }
  return out;
}

/** The source as chunks; Readable streams are async iterables of Buffers. */
export type ChunkSource = AsyncIterable<Uint8Array>;

export class TarReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private chunk: Buffer = EMPTY;
  private off = 0;
  private sourceDone = false;
  /** body bytes of the current entry not yet handed out, then its padding */
  private remaining = 0;
  private pad = 0;
  private finished = false;
  private readonly global = new Map<string, Buffer>();
  /** total bytes pulled from the source */
  bytes = 0;

  constructor(source: ChunkSource, private readonly onChunk?: (chunk: Buffer) => void) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    while (this.off >= this.chunk.length) {
      if (this.sourceDone) return false;
      const r = await this.it.next();
      if (r.done) { this.sourceDone = true; return false; }
      const v = r.value;
      const b = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      this.bytes += b.length;
      this.onChunk?.(b);
      this.chunk = b;
      this.off = 0;
    }
    return true;
  }

  /** Exactly n bytes, or fewer only at the end of the source. */
  private async readExact(n: number): Promise<Buffer> {
    if (this.chunk.length - this.off >= n) {
      const b = this.chunk.subarray(this.off, this.off + n);
      this.off += n;
      return b;
    }
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n && (await this.fill())) {
      const take = Math.min(n - got, this.chunk.length - this.off);
      parts.push(this.chunk.subarray(this.off, this.off + take));
      this.off += take;
      got += take;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, got);
  }

  private async skip(n: number): Promise<void> {
    while (n > 0) {
      if (!(await this.fill())) throw formatError('unexpected end of stream');
      const take = Math.min(n, this.chunk.length - this.off);
      this.off += take;
      n -= take;
    }
  }

  /**
   * The next chunk of the current entry's body (a view into the source chunk, valid until the next
   * call), or null at its end.
   */
  async readBody(): Promise<Buffer | null> {
    if (this.remaining === 0) return null;
    if (!(await this.fill())) throw formatError('unexpected end of stream inside an entry');
    const take = Math.min(this.remaining, this.chunk.length - this.off);
    const b = this.chunk.subarray(this.off, this.off + take);
    this.off += take;
    this.remaining -= take;
    return b;
  }

  private async readWholeBody(size: number, what: string): Promise<Buffer> {
    if (size > MAX_META) throw formatError(`${what} of ${size} bytes is too large`);
    const b = await this.readExact(size);
    if (b.length < size) throw formatError('unexpected end of stream');
    await this.skip((BLOCK - (size % BLOCK)) % BLOCK);
    // a copy, so xattr values do not pin a whole source chunk
    return Buffer.from(b);
  }

  /** Skip what is left of the current entry (body and padding). */
  private async finishEntry(): Promise<void> {
    if (this.remaining > 0 || this.pad > 0) {
      await this.skip(this.remaining + this.pad);
      this.remaining = 0;
      this.pad = 0;
    }
  }

  /** The next entry's header, or null at the end of the archive. Unread body bytes are skipped. */
  async next(): Promise<TarHeader | null> {
    if (this.finished) return null;
    await this.finishEntry();
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Map<string, Buffer> | undefined;
    for (;;) {
      const h = await this.readExact(BLOCK);
      if (h.length === 0 && !longName && !longLink && !pax) { this.finished = true; return null; }
      if (h.length < BLOCK) throw formatError('unexpected end of stream in a header');
      if (isZeroBlock(h)) {
        if (longName || longLink || pax) throw formatError('end of archive after an extended header');
        this.finished = true;
        return null;
      }
      if (!checksumOk(h)) throw formatError('invalid header checksum');
      const flag = String.fromCharCode(h[156]!);
      const size = num(h, 124, 12);
      if (flag === 'L' || flag === 'K') {
        const body = await this.readWholeBody(size, 'long name');
        const s = cstr(body, 0, body.length);
        if (flag === 'L') longName = s; else longLink = s;
        continue;
      }
      if (flag === 'x' || flag === 'g') {
        const recs = parsePax(await this.readWholeBody(size, 'pax header'));
        if (flag === 'g') {
          for (const [k, v] of recs) { if (v.length === 0) this.global.delete(k); else this.global.set(k, v); }
        } else {
          pax = pax ?? new Map();
          for (const [k, v] of recs) pax.set(k, v);
        }
        continue;
      }
      if (flag === 'S') throw new TsmanError('EUNSUPPORTED', 'read tar: sparse files are not supported');
      return this.makeHeader(h, flag, size, longName, longLink, pax);
    }
  }

  private makeHeader(h: Buffer, flag: string, size: number, longName?: string, longLink?: string, local?: Map<string, Buffer>): TarHeader {
    const ustar = h.toString('latin1', 257, 263) === 'ustar\0';
    let name = cstr(h, 0, 100);
    if (ustar && h[345] !== 0) name = `${cstr(h, 345, 155)}/${name}`;
    if (longName !== undefined) name = longName;
    let type: TarEntryType = TYPES[flag] ?? 'other';
    // pre-POSIX tars (type flag NUL) mark directories only by the trailing slash; Go's reader too
    if (flag === '\0' && name.endsWith('/')) type = 'dir';
    const hdr: TarHeader = {
      name, type, typeflag: flag,
      mode: num(h, 100, 8) & 0o7777,
      uid: num(h, 108, 8),
      gid: num(h, 116, 8),
      size,
      mtime: num(h, 136, 12),
      linkname: longLink ?? cstr(h, 157, 100),
      uname: cstr(h, 265, 32),
      gname: cstr(h, 297, 32),
      devmajor: type === 'char' || type === 'block' ? num(h, 329, 8) : 0,
      devminor: type === 'char' || type === 'block' ? num(h, 337, 8) : 0,
    };
    if (this.global.size > 0) applyPax(hdr, this.global);
    if (local) applyPax(hdr, local);
    // header-only types carry no data whatever the size field claims (Go's archive/tar, which
    // produced most layers, reads them the same way); trusting it would desynchronise the stream
    if (hdr.type !== 'file' && hdr.type !== 'other') hdr.size = 0;
    this.remaining = hdr.size;
    this.pad = (BLOCK - (hdr.size % BLOCK)) % BLOCK;
    return hdr;
  }

  /** Consume the source to its end (the layer digest covers the end-of-archive padding too). */
  async drain(): Promise<void> {
    this.off = this.chunk.length;
    while (await this.fill()) this.off = this.chunk.length;
  }

  /** Stop reading early: release the source. */
  async close(): Promise<void> {
    if (!this.sourceDone) {
      this.sourceDone = true;
      await this.it.return?.();
    }
  }
}

function paxNum(v: Buffer, key: string): number {
  const s = v.toString('latin1');
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n)) throw formatError(`invalid pax ${key} "${s}"`);
  return n;
}

function applyPax(hdr: TarHeader, pax: Map<string, Buffer>): void {
  for (const [k, v] of pax) {
    switch (k) {
      case 'path': if (v.length) hdr.name = v.toString('utf8'); break;
      case 'linkpath': if (v.length) hdr.linkname = v.toString('utf8'); break;
      case 'size': if (v.length) { const n = paxNum(v, k); if (!Number.isSafeInteger(n) || n < 0) throw formatError('invalid pax size'); hdr.size = n; } break;
      case 'uid': if (v.length) hdr.uid = Math.trunc(paxNum(v, k)); break;
      case 'gid': if (v.length) hdr.gid = Math.trunc(paxNum(v, k)); break;
      case 'uname': hdr.uname = v.toString('utf8'); break;
      case 'gname': hdr.gname = v.toString('utf8'); break;
      case 'mtime': if (v.length) hdr.mtime = paxNum(v, k); break;
      case 'atime': if (v.length) hdr.atime = paxNum(v, k); break;
      default:
        if (k.startsWith('SCHILY.xattr.')) {
          (hdr.xattrs ??= new Map()).set(k.slice('SCHILY.xattr.'.length), v);
        }
    }
  }
}

export interface TarEntry {
  header: TarHeader;
  /** the body as chunks; each chunk is only valid until the next one is requested */
  body(): AsyncIterable<Buffer>;
}

/** Iterate a tar's entries; a body that is not read is skipped. */
export async function* readTar(source: ChunkSource, onChunk?: (chunk: Buffer) => void): AsyncGenerator<TarEntry> {
  const r = new TarReader(source, onChunk);
  try {
    for (let h = await r.next(); h; h = await r.next()) {
      yield {
        header: h,
        body: async function* () { for (let c = await r.readBody(); c; c = await r.readBody()) yield c; },
      };
    }
    await r.drain();
  } finally {
    await r.close();
  }
}
