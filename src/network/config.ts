// Network configurations: one JSON file per network, <network_config_dir>/<name>.json, in
// netavark's shape (podman 4.3.1's /etc/containers/networks/*.json). network_config_dir defaults
// to <graphroot>/tsman/networks (src/config/index.ts), and bridges are named tsman0, tsman1, ...:
// tsman never reads or writes podman's configs nor touches podman0, so the two never fight over a
// bridge or a subnet.
//
// The default network is not stored: it is synthesized from containers.conf (default_network,
// default_subnet) like podman's, unless a file of that name exists. Creation and removal hold a
// flock on <dir>/networks.lock, so concurrent creates never pick the same name, bridge or subnet;
// files are replaced atomically, so readers need no lock.
import { readdirSync, readFileSync, statSync, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from '../util/random.js';
import type { NetHost, NetContainer } from './backend.js';
import { TsmanError, errnoCode } from '../errors.js';
import { atomicWriteFile } from '../util/fsutil.js';
import { FileLock } from '../util/lock.js';
import { toGoJSON } from '../format/json.js';
import {
  type Cidr, cidrContains, cidrOverlaps, firstFreeSubnet, formatCidr, lastAddress, nthAddress, normalizeIp,
  parseCidr, parseIp, randomUlaSubnet,
} from '../util/ipnet.js';

export interface NetworkSubnet { subnet: string; gateway?: string; lease_range?: { start_ip?: string; end_ip?: string } }

export interface NetworkConfig {        // podman's netavark JSON shape, field order as podman prints
  name: string; id: string; driver: string; network_interface: string; created: string;
  subnets: NetworkSubnet[]; ipv6_enabled: boolean; internal: boolean; dns_enabled: boolean;
  labels?: Record<string, string>; options?: Record<string, string>; ipam_options: { driver: string };
}

export interface CreateNetworkOptions {
  name?: string; driver?: string; subnets: string[]; gateways: string[]; ipRanges: string[]; internal: boolean; disableDns: boolean;
  ipv6: boolean; labels: string[]; options: string[]; ignore: boolean; interfaceName?: string;
}

export const DEFAULT_NETWORK_ID = '2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9';
/** The default network's bridge: not podman0, which belongs to podman. */
export const DEFAULT_INTERFACE = 'tsman0';
export const INTERFACE_PREFIX = 'tsman';
export const NETWORK_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Linux IFNAMSIZ - 1 */
const MAX_IFNAME = 15;

export function networkConfigDir(host: NetHost): string {
  return host.config.network.network_config_dir;
}

/** RFC 3339 with nanoseconds, trailing zeros dropped, UTC (how Go marshals time.Now().UTC()). */
function nowNano(): string {
  const iso = new Date().toISOString();
  const sub = (process.hrtime.bigint() % 1_000_000n).toString().padStart(6, '0');
  const frac = `${iso.slice(20, 23)}${sub}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

function isoMs(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, f: string) => (f ? `.${f}Z` : 'Z'));
}

/**
 * A stable creation time for the synthesized default network (podman prints "now" on every call):
 * when the config directory came to be, else the store's directory, else this process's start.
 */
function defaultCreated(host: NetHost): string {
  for (const dir of [networkConfigDir(host), host.config.engine.static_dir]) {
    try {
      const st = statSync(dir);
      return isoMs(st.birthtimeMs > 0 ? st.birthtimeMs : st.mtimeMs);
    } catch { /* not there yet */ }
  }
  return isoMs(Date.now() - process.uptime() * 1000);
}

function defaultSubnet(host: NetHost): NetworkSubnet {
  const spec = host.config.network.default_subnet || '10.88.0.0/16';
  const c = parseCidr(spec);
  return { subnet: formatCidr(c), gateway: nthAddress(c, 1) };
}

export function defaultNetwork(host: NetHost): NetworkConfig {
  return {
    name: host.config.network.default_network || 'podman',
    id: DEFAULT_NETWORK_ID,
    driver: 'bridge',
    network_interface: DEFAULT_INTERFACE,
    created: defaultCreated(host),
    subnets: [defaultSubnet(host)],
    ipv6_enabled: false,
    internal: false,
    dns_enabled: false,
    ipam_options: { driver: 'host-local' },
  };
}

function isNetworkConfig(v: unknown): v is NetworkConfig {
  if (typeof v !== 'object' || v === null) return false;
  const n = v as Partial<NetworkConfig>;
  return typeof n.name === 'string' && typeof n.id === 'string' && typeof n.driver === 'string' && Array.isArray(n.subnets);
}

/** The stored networks (not the default one unless a file defines it), sorted by name; unreadable files are skipped. */
function readStored(dir: string): NetworkConfig[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
  const out: NetworkConfig[] = [];
  for (const f of files.sort()) {
    if (!f.endsWith('.json') || f.startsWith('.')) continue;
    try {
      const v: unknown = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
      if (isNetworkConfig(v) && `${v.name}.json` === f) out.push(normalize(v));
    } catch { /* a half-edited or foreign file: podman skips it too (with a warning) */ }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Fill in what a hand-written file may lack, in podman's field order. */
function normalize(n: NetworkConfig): NetworkConfig {
  const out: NetworkConfig = {
    name: n.name, id: n.id, driver: n.driver, network_interface: n.network_interface ?? '', created: n.created ?? '',
    subnets: n.subnets ?? [], ipv6_enabled: n.ipv6_enabled ?? false, internal: n.internal ?? false, dns_enabled: n.dns_enabled ?? false,
    ipam_options: n.ipam_options ?? { driver: 'host-local' },
  };
  if (n.labels && Object.keys(n.labels).length > 0) out.labels = n.labels;
  if (n.options && Object.keys(n.options).length > 0) out.options = n.options;
  // keep ipam_options last, as podman prints it
  const { ipam_options, ...rest } = out;
  return { ...rest, ipam_options };
}

/** Every network: the default one first, then the files <dir>/<name>.json sorted by name. */
export function listNetworks(host: NetHost): NetworkConfig[] {
  const stored = readStored(networkConfigDir(host));
  const def = defaultNetwork(host);
  const own = stored.find((n) => n.name === def.name);
  return own ? [own, ...stored.filter((n) => n !== own)] : [def, ...stored];
}

/** Exact name, full id, or a unique id prefix; undefined when none (or the prefix is ambiguous). */
export function findNetwork(host: NetHost, nameOrId: string): NetworkConfig | undefined {
  try {
    return lookup(listNetworks(host), nameOrId);
  } catch {
    return undefined;
  }
}

function lookup(nets: NetworkConfig[], q: string): NetworkConfig | undefined {
  if (q === '') return undefined;
  const byName = nets.find((n) => n.name === q);
  if (byName) return byName;
  const hits = nets.filter((n) => n.id.startsWith(q));
  if (hits.length > 1) throw new TsmanError('EUSAGE', `more than one result for network ID ${q}: invalid argument`);
  return hits[0];
}

export function noSuchNetwork(nameOrId: string, exitCode = 125): TsmanError {
  return new TsmanError('ENOTFOUND', `unable to find network with name or ID ${nameOrId}: network not found`, { exitCode });
}

export function mustFindNetwork(host: NetHost, nameOrId: string): NetworkConfig {
  const n = lookup(listNetworks(host), nameOrId);
  if (!n) throw noSuchNetwork(nameOrId);
  return n;
}

/** The containers that joined this network (bridge mode), by network name. */
export function containersOnNetwork<C extends NetContainer>(host: { store: { read(): { containers?: readonly C[] } } }, name: string): C[] {
  return (host.store.read().containers ?? []).filter((c) => Object.prototype.hasOwnProperty.call(c.config.networks ?? {}, name));
}

// ---- create ----------------------------------------------------------------------------------

/** key=value lists as podman parses --label/--opt: the first `=` splits, a bare key maps to "". */
function parseKeyValues(list: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    const key = i < 0 ? item : item.slice(0, i);
    if (key === '') throw new TsmanError('EUSAGE', `${what}: invalid label format: "${item}"`);
    out[key] = i < 0 ? '' : item.slice(i + 1);
  }
  return out;
}

function goAtoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new TsmanError('EUSAGE', `strconv.Atoi: parsing "${s}": invalid syntax`);
  return Number(s);
}

function goParseBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new TsmanError('EUSAGE', `strconv.ParseBool: parsing "${s}": invalid syntax`);
}

/** The bridge driver's options (podman 4.3.1: mtu, vlan, isolate); isolate is stored as true/false. */
function validateBridgeOptions(opts: Record<string, string>): void {
  for (const [key, value] of Object.entries(opts)) {
    switch (key) {
      case 'mtu': {
        if (value === '') break;
        const mtu = goAtoi(value);
        if (mtu < 0) throw new TsmanError('EUSAGE', `mtu ${mtu} is less than zero`);
        break;
      }
      case 'vlan': {
        const vlan = goAtoi(value);
        if (vlan < 0 || vlan > 4094) throw new TsmanError('EUSAGE', `vlan ID ${vlan} must be between 0 and 4094`);
        break;
      }
      case 'isolate':
        opts[key] = String(goParseBool(value));
        break;
      default:
        throw new TsmanError('EUSAGE', `unsupported bridge network option ${key}`);
    }
  }
}

/** The subnets in use on the host: interface addresses and (non-default) IPv4 routes. */
export function hostSubnets(): Cidr[] {
  const out: Cidr[] = [];
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (!a.cidr) continue;
      try { out.push(parseCidr(a.cidr.replace(/%.*\//, '/'))); } catch { /* a scoped or odd address */ }
    }
  }
  try {
    for (const line of readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 8) continue;
      const dst = parseInt(f[1]!, 16);
      const msk = parseInt(f[7]!, 16);
      if (msk === 0) continue; // the default route covers everything
      const le = (n: number): string => [0, 8, 16, 24].map((sh) => (n >>> sh) & 255).join('.');
      const prefix = (msk >>> 0).toString(2).replace(/0/g, '').length;
      out.push(parseCidr(`${le(dst)}/${prefix}`));
    }
  } catch { /* no procfs */ }
  return out;
}

function hostInterfaces(): Set<string> {
  try {
    return new Set(readdirSync('/sys/class/net'));
  } catch {
    return new Set(Object.keys(os.networkInterfaces()));
  }
}

function usedError(subnet: string): TsmanError {
  return new TsmanError('EUSAGE', `subnet ${subnet} is already used on the host or by another config`);
}

/** The first name "<prefix>N" (N from `from`) not in `used`. */
function firstFree(prefix: string, from: number, used: Set<string>): string {
  for (let i = from; ; i++) if (!used.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

interface ParsedSubnets {
  subnets: Array<{ cidr: Cidr; entry: NetworkSubnet }>;
}

/** --subnet/--gateway/--ip-range as podman pairs them: the i-th gateway and range belong to the i-th subnet. */
function parseSubnets(o: CreateNetworkOptions): ParsedSubnets {
  if (o.subnets.length === 0 && (o.gateways.length > 0 || o.ipRanges.length > 0)) {
    throw new TsmanError('EUSAGE', 'cannot set gateway or range without subnet');
  }
  if (o.gateways.length > o.subnets.length) throw new TsmanError('EUSAGE', 'cannot set more gateways than subnets');
  if (o.ipRanges.length > o.subnets.length) throw new TsmanError('EUSAGE', 'cannot set more ranges than subnets');
  const subnets = o.subnets.map((s, i) => {
    const cidr = parseCidr(s);
    const text = formatCidr(cidr);
    // a bridge needs a gateway and at least one container address
    if (cidr.prefix > (cidr.family === 4 ? 30 : 126)) throw new TsmanError('EUSAGE', `subnet ${text} is too small for a bridge network: invalid argument`);
    const entry: NetworkSubnet = { subnet: text };
    const gw = o.gateways[i];
    if (gw !== undefined) {
      if (!cidrContains(cidr, gw)) throw new TsmanError('EUSAGE', `gateway ${normalizeIp(gw) ?? gw} not in subnet ${text}`);
      entry.gateway = normalizeIp(gw)!;
    } else {
      entry.gateway = nthAddress(cidr, 1);
    }
    const r = o.ipRanges[i];
    if (r !== undefined) {
      const range = parseCidr(r);
      const start = range.prefix === (range.family === 4 ? 32 : 128) ? nthAddress(range, 0) : nthAddress(range, 1);
      const end = lastAddress(range);
      if (!cidrContains(cidr, start)) throw new TsmanError('EUSAGE', `lease range start ip ${start} not in subnet ${text}`);
      if (!cidrContains(cidr, end)) throw new TsmanError('EUSAGE', `lease range end ip ${end} not in subnet ${text}`);
      entry.lease_range = { start_ip: start, end_ip: end };
    }
    return { cidr, entry };
  });
  return { subnets };
}

/** Check what can be checked without the lock, so a bad flag fails before anything is touched. */
function validateCreate(o: CreateNetworkOptions): {
  driver: string; labels: Record<string, string>; options: Record<string, string>; parsed: ParsedSubnets;
} {
  for (const g of o.gateways) {
    if (!parseIp(g)) throw new TsmanError('EUSAGE', `invalid argument "${g}" for "--gateway" flag: invalid string being converted to IP address: ${g}`);
  }
  const labels = parseKeyValues(o.labels, 'failed to parse labels');
  const options = parseKeyValues(o.options, 'unable to parse options');
  if (o.name !== undefined && !NETWORK_NAME_RE.test(o.name)) {
    throw new TsmanError('EUSAGE', `network name ${o.name} invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument`);
  }
  const driver = o.driver || 'bridge';
  if (driver === 'macvlan' || driver === 'ipvlan') {
    throw new TsmanError('EUNSUPPORTED', `unsupported driver ${driver}: tsman creates bridge networks only: invalid argument`);
  }
  if (driver !== 'bridge') throw new TsmanError('EUSAGE', `unsupported driver ${driver}: invalid argument`);
  validateBridgeOptions(options);
  if (o.interfaceName !== undefined) {
    if (!NETWORK_NAME_RE.test(o.interfaceName)) {
      throw new TsmanError('EUSAGE', `bridge name ${o.interfaceName} invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument`);
    }
    if (o.interfaceName.length > MAX_IFNAME) {
      throw new TsmanError('EUSAGE', `bridge name ${o.interfaceName} invalid: longer than ${MAX_IFNAME} characters: invalid argument`);
    }
  }
  return { driver, labels, options, parsed: parseSubnets(o) };
}

function networkFile(host: NetHost, name: string): string {
  return path.join(networkConfigDir(host), `${name}.json`);
}

function lockFor(host: NetHost): FileLock {
  return new FileLock(path.join(networkConfigDir(host), 'networks.lock'));
}

/** The file as podman writes it: 5-space indent, maps with sorted keys. */
function serialize(n: NetworkConfig): string {
  const sorted = (m?: Record<string, string>) => (m ? Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : undefined);
  return `${toGoJSON({ ...n, labels: sorted(n.labels), options: sorted(n.options), ipam_options: n.ipam_options }, { indent: '     ', escapeHTML: false })}\n`;
}

export async function createNetwork(host: NetHost, o: CreateNetworkOptions): Promise<NetworkConfig> {
  const { driver, labels, options, parsed } = validateCreate(o);
  const dir = networkConfigDir(host);
  await fsp.mkdir(dir, { recursive: true, mode: 0o755 });
  const lock = lockFor(host);
  return lock.with(async () => {
    const nets = listNetworks(host);
    if (o.name !== undefined) {
      const existing = nets.find((n) => n.name === o.name);
      if (existing) {
        if (o.ignore) return existing;
        throw new TsmanError('EEXISTS', `network name ${o.name} already used: network already exists`);
      }
    }
    const name = o.name ?? firstFree('podman', 1, new Set(nets.map((n) => n.name)));

    const bridges = new Set(nets.map((n) => n.network_interface));
    let iface: string;
    if (o.interfaceName !== undefined) {
      if (bridges.has(o.interfaceName) || hostInterfaces().has(o.interfaceName)) throw new TsmanError('EEXISTS', `bridge name ${o.interfaceName} already in use`);
      iface = o.interfaceName;
    } else {
      iface = firstFree(INTERFACE_PREFIX, 0, new Set([...bridges, ...hostInterfaces()]));
    }

    const used: Cidr[] = [...nets.flatMap((n) => n.subnets.flatMap((s) => { try { return [parseCidr(s.subnet)]; } catch { return []; } })), ...hostSubnets()];
    for (const s of parsed.subnets) {
      if (used.some((u) => cidrOverlaps(u, s.cidr))) throw usedError(s.entry.subnet);
    }
    const subnets = parsed.subnets.map((s) => s.entry);
    const hasV4 = parsed.subnets.some((s) => s.cidr.family === 4);
    const hasV6 = parsed.subnets.some((s) => s.cidr.family === 6);
    if (!hasV4 && (subnets.length === 0 || o.ipv6)) {
      const pools = host.config.network.default_subnet_pools.length > 0
        ? host.config.network.default_subnet_pools : [{ base: '10.89.0.0/16', size: 24 }];
      const free = firstFreeSubnet(pools, used);
      if (!free) throw new TsmanError('EGENERIC', 'could not find free subnet from subnet pools');
      subnets.push({ subnet: formatCidr(free), gateway: nthAddress(free, 1) });
    }
    if (o.ipv6 && !hasV6) {
      let v6: Cidr | undefined;
      for (let i = 0; i < 100 && !v6; i++) {
        const c = randomUlaSubnet((n) => randomBytes(n));
        if (!used.some((u) => cidrOverlaps(u, c))) v6 = c;
      }
      if (!v6) throw new TsmanError('EGENERIC', 'failed to get random ipv6 subnet');
      subnets.push({ subnet: formatCidr(v6), gateway: nthAddress(v6, 1) });
    }

    const ids = new Set(nets.map((n) => n.id));
    let id: string;
    do id = randomBytes(32).toString('hex'); while (ids.has(id));

    const net: NetworkConfig = {
      name, id, driver, network_interface: iface, created: nowNano(), subnets,
      ipv6_enabled: o.ipv6 || hasV6, internal: o.internal, dns_enabled: !o.disableDns,
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(Object.keys(options).length > 0 ? { options } : {}),
      ipam_options: { driver: 'host-local' },
    };
    await atomicWriteFile(networkFile(host, name), serialize(net));
    return net;
  });
}

/** Remove a network's config (name, id or unique id prefix); the default network is refused as podman does. */
export async function removeNetwork(host: NetHost, nameOrId: string): Promise<NetworkConfig> {
  const def = host.config.network.default_network || 'podman';
  const check = (): NetworkConfig => {
    const n = mustFindNetwork(host, nameOrId);
    if (n.name === def) throw new TsmanError('EUSAGE', `default network ${def} cannot be removed`);
    return n;
  };
  check(); // before the lock, which would create the directory
  return lockFor(host).with(async () => {
    const n = check();
    try {
      await fsp.unlink(networkFile(host, n.name));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw noSuchNetwork(nameOrId);
      throw err;
    }
    return n;
  });
}
