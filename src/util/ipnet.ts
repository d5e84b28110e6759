// CIDR arithmetic for network configs and IP allocation: pure functions, no I/O. Addresses are
// bigints internally so IPv4 and IPv6 share one code path; ipToInt/intToIp are the IPv4 shortcuts.
// Parsing is Go's net.ParseIP/ParseCIDR (no leading zeros in IPv4, at most one "::", IPv4 tail in
// IPv6); formatting is Go's String() (RFC 5952: lower case, the longest zero run as "::").
import { TsmanError } from '../errors.js';

export type IpFamily = 4 | 6;

export interface IpAddr {
  family: IpFamily;
  value: bigint;
}

export interface Cidr {
  family: IpFamily;
  /** the network address (host bits cleared, as Go's ParseCIDR returns it) */
  network: bigint;
  prefix: number;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  let tail: bigint | undefined;
  let str = s;
  // an embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups
  const lastColon = str.lastIndexOf(':');
  if (str.includes('.', lastColon)) {
    tail = parseV4(str.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    str = `${str.slice(0, lastColon + 1)}0:0`;
  }
  const halves = str.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] | undefined => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const n = head.length + rest.length;
  if (halves.length === 1 ? n !== 8 : n > 7) return undefined;
  const all = [...head, ...Array<string>(8 - n).fill('0'), ...rest];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail !== undefined) v = (v & ~0xffffffffn) | tail;
  return v;
}

/** An IPv4 or IPv6 address; undefined when s is neither (Go's net.ParseIP returning nil). */
export function parseIp(s: string): IpAddr | undefined {
  if (s.includes(':')) {
    const v = parseV6(s);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseV4(s);
  return v === undefined ? undefined : { family: 4, value: v };
}

export function formatIp(a: IpAddr): string {
  if (a.family === 4) {
    const n = Number(a.value);
    return [24, 16, 8, 0].map((sh) => (n >>> sh) & 255).join('.');
  }
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((a.value >> BigInt(i * 16)) & 0xffffn));
  // the longest run of two or more zero groups, the first one on a tie
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

function mask(family: IpFamily, prefix: number): bigint {
  const bits = BITS[family];
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

/** Go's ParseCIDR: "ADDR/PREFIX", host bits cleared. Throws podman's "invalid CIDR address: S". */
export function parseCidr(s: string): Cidr {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? undefined : parseIp(s.slice(0, slash));
  const pfx = slash < 0 ? '' : s.slice(slash + 1);
  if (!addr || !/^\d{1,3}$/.test(pfx) || (pfx.length > 1 && pfx[0] === '0') || Number(pfx) > BITS[addr.family]) {
    throw new TsmanError('EUSAGE', `invalid CIDR address: ${s}`);
  }
  const prefix = Number(pfx);
  return { family: addr.family, network: addr.value & mask(addr.family, prefix), prefix };
}

function asCidr(c: Cidr | string): Cidr {
  return typeof c === 'string' ? parseCidr(c) : c;
}

/** "NETWORK/PREFIX" */
export function formatCidr(c: Cidr): string {
  return `${formatIp({ family: c.family, value: c.network })}/${c.prefix}`;
}

/** Number of addresses in the subnet (a bigint: IPv6 subnets are large). */
export function cidrSize(c: Cidr | string): bigint {
  const x = asCidr(c);
  return 1n << BigInt(BITS[x.family] - x.prefix);
}

export function cidrContains(c: Cidr | string, ip: string | IpAddr): boolean {
  const x = asCidr(c);
  const a = typeof ip === 'string' ? parseIp(ip) : ip;
  if (!a || a.family !== x.family) return false;
  return (a.value & mask(x.family, x.prefix)) === x.network;
}

/** Whether two subnets share an address (one contains the other's network address); families differ: false. */
export function cidrOverlaps(a: Cidr | string, b: Cidr | string): boolean {
  const x = asCidr(a);
  const y = asCidr(b);
  if (x.family !== y.family) return false;
  const p = Math.min(x.prefix, y.prefix);
  const m = mask(x.family, p);
  return (x.network & m) === (y.network & m);
}

/** The n-th address of the subnet (0 = the network address, -1 = the last one); throws when outside it. */
export function nthAddress(c: Cidr | string, n: number | bigint): string {
  const x = asCidr(c);
  const size = cidrSize(x);
  let i = BigInt(n);
  if (i < 0n) i += size;
  if (i < 0n || i >= size) throw new TsmanError('EUSAGE', `address ${String(n)} is outside subnet ${formatCidr(x)}`);
  return formatIp({ family: x.family, value: x.network + i });
}

/** The last address of the subnet (IPv4: the broadcast address). */
export function lastAddress(c: Cidr | string): string {
  return nthAddress(c, -1);
}

/** An IPv4 address as a 32-bit unsigned number; throws on anything else. */
export function ipToInt(ip: string): number {
  const v = parseV4(ip);
  if (v === undefined) throw new TsmanError('EUSAGE', `invalid IPv4 address: ${ip}`);
  return Number(v);
}

export function intToIp(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new TsmanError('EUSAGE', `invalid IPv4 address number: ${n}`);
  return formatIp({ family: 4, value: BigInt(n) });
}

/** Normalize an address as Go prints it ("FD10:0::1" -> "fd10::1"); undefined when invalid. */
export function normalizeIp(ip: string): string | undefined {
  const a = parseIp(ip);
  return a && formatIp(a);
}

/**
 * The first subnet of `size` bits carved from the pools (in order) that overlaps none of `used`
 * (podman's default_subnet_pools walk); undefined when every pool is exhausted.
 */
export function firstFreeSubnet(pools: Array<{ base: string; size: number }>, used: Array<Cidr | string>, limit = 1 << 20): Cidr | undefined {
  const taken = used.map(asCidr).filter((u) => u.family === 4);
  for (const pool of pools) {
    const base = asCidr(pool.base);
    if (base.family !== 4 || pool.size < base.prefix || pool.size > 32) continue;
    const count = 1n << BigInt(pool.size - base.prefix);
    const step = 1n << BigInt(32 - pool.size);
    for (let i = 0n; i < count && i < BigInt(limit); i++) {
      const cand: Cidr = { family: 4, network: base.network + i * step, prefix: pool.size };
      const clash = taken.find((t) => cidrOverlaps(t, cand));
      if (!clash) return cand;
      // skip past a larger used subnet at once (10.88.0.0/16 holds 256 /24s)
      if (clash.prefix < cand.prefix) {
        const end = clash.network + cidrSize(clash);
        i = (end - base.network) / step - 1n;
      }
    }
  }
  return undefined;
}

/** A random ULA /64 (fdXX:XXXX:XXXX:XXXX::/64, as podman picks for --ipv6 without a subnet). */
export function randomUlaSubnet(random: (n: number) => Uint8Array): Cidr {
  const b = random(8);
  let v = 0xfdn;
  for (let i = 1; i < 8; i++) v = (v << 8n) | BigInt(b[i]!);
  return { family: 6, network: v << 64n, prefix: 64 };
}
