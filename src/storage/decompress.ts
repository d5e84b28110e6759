// Layer blobs are gzip, zstd or plain tar, whatever the media type claims (registries and old
// tools get it wrong), so the compression is sniffed from the magic bytes.
import { createReadStream, promises as fsp } from 'node:fs';
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import { TsmanError, wrapError } from '../errors.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Read-ahead for layer files: big enough that the tar reader rarely waits on a read. */
const READ_CHUNK = 1024 * 1024;
/** Decompressed bytes buffered ahead of the extractor, so the decoder (zlib runs on the thread
 *  pool) keeps working while the extractor writes files instead of waiting to be asked. */
const READ_AHEAD = 8 * 1024 * 1024;

export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** fzstd's streaming decompressor (pure JS) as a Transform. */
class ZstdDecompress extends Transform {
  private readonly d: Decompress;
  constructor() {
    super({ readableHighWaterMark: READ_CHUNK });
    this.d = new Decompress((chunk) => {
      if (chunk.length > 0) this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.d.push(chunk);
      cb();
    } catch (err) {
      cb(new TsmanError('EFORMAT', `zstd: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(new TsmanError('EFORMAT', `zstd: truncated or invalid stream (${err instanceof Error ? err.message : String(err)})`));
    }
  }
}

/** A decompressing Transform for the given compression (undefined for 'none'). */
export function decompressor(c: Compression): Transform | undefined {
  if (c === 'gzip') return zlib.createGunzip({ chunkSize: 256 * 1024, readableHighWaterMark: READ_AHEAD } as zlib.ZlibOptions);
  if (c === 'zstd') {
    // Node >= 22.15 has a native zstd decoder; it is several times faster than fzstd
    const native = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
    return native ? native() : new ZstdDecompress();
  }
  return undefined;
}

function chain(src: Readable, t: Transform | undefined): Readable {
  if (!t) return src;
  // pipeline destroys every stage with the first error, so the consumer sees it
  return pipeline(src, t, () => undefined);
}

/** Open a layer blob file as an uncompressed tar stream. */
export async function openLayerStream(file: string): Promise<Readable> {
  const head = Buffer.alloc(4);
  let n: number;
  try {
    const fh = await fsp.open(file, 'r');
    try { n = (await fh.read(head, 0, 4, 0)).bytesRead; } finally { await fh.close(); }
  } catch (err) {
    throw wrapError(err, `open layer \`${file}\``);
  }
  const src = createReadStream(file, { highWaterMark: READ_CHUNK });
  return chain(src, decompressor(sniffCompression(head.subarray(0, n))));
}

/** The same for a stream (a blob being downloaded): sniffs its first bytes. */
export async function decompressStream(input: Readable): Promise<Readable> {
  const parts: Buffer[] = [];
  let len = 0;
  const it = input[Symbol.asyncIterator]();
  while (len < 4) {
    const r = await it.next();
    if (r.done) break;
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    parts.push(b);
    len += b.length;
  }
  const head = Buffer.concat(parts, len);
  const t = decompressor(sniffCompression(head));
  const rest = Readable.from((async function* () {
    if (head.length) yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer;
  })(), { objectMode: false });
  return chain(rest, t);
}
