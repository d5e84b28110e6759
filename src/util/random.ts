// Random bytes and integers from the kernel's generator (/dev/urandom, what crypto.randomBytes
// reads through getrandom(2) too), without loading node:crypto: that module costs ~2 ms at every
// start of a command that only needs an id or a name.
import { openSync, readSync, closeSync } from 'node:fs';

export function randomBytes(n: number): Buffer {
  const buf = Buffer.alloc(n);
  const fd = openSync('/dev/urandom', 'r');
  try {
    let off = 0;
    while (off < n) off += readSync(fd, buf, off, n - off, null);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** A uniform integer in [0, max) (max up to 2^32), by rejection sampling. */
export function randomInt(max: number): number {
  if (!(max > 0 && max <= 2 ** 32)) throw new RangeError(`randomInt: bad range ${max}`);
  const limit = Math.floor(2 ** 32 / max) * max;
  for (;;) {
    const v = randomBytes(4).readUInt32LE(0);
    if (v < limit) return v % max;
  }
}
