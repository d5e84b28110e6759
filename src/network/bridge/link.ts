// The links of bridge networks: a Linux bridge per network (its gateway address on it), a veth
// pair per container and network, the container's addresses and default route. Made with
// `ip -batch` (one process per namespace), in the host's namespace as root and in the shared
// rootless namespace rootless (rootlessns.ts).
import { promises as fsp, readFileSync } from 'node:fs';
import { randomBytes } from '../../util/random.js';
import { TsmanError } from '../../errors.js';
import { ipToInt } from '../../util/ipnet.js';
import { ipBatch, runIn } from '../netns.js';
import type { NetIface } from '../backend.js';

export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0]! & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

async function setSysctls(list: string[]): Promise<void> {
  for (const kv of list) {
    const [k, v] = kv.split('=') as [string, string];
    const file = `/proc/sys/${k.replace(/\./g, '/')}`;
    try {
      if ((await fsp.readFile(file, 'utf8')).trim() !== v) await fsp.writeFile(file, v);
    } catch (err) {
      throw new TsmanError('EGENERIC', `cannot set sysctl ${k}=${v}: ${(err as Error).message}`);
    }
  }
}

/** A route to `subnet` on an interface other than `br` (podman's own bridge, a VPN...) */
export function conflictingRoute(subnet: string, br: string): string | undefined {
  const [ip, bits] = subnet.split('/') as [string, string];
  const want = ipToInt(ip);
  const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
  let text: string;
  try { text = readFileSync('/proc/net/route', 'utf8'); } catch { return undefined; }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[0] === br) continue;
    // little-endian hex
    const le = (h: string): number => { const n = parseInt(h, 16); return (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | (n >>> 24)) >>> 0; };
    const dst = le(f[1]!);
    const m = le(f[7]!);
    if (m === 0) continue; // the default route
    if (dst === want && m === mask) return f[0];
  }
  return undefined;
}

/**
 * The `ip` lines that plug `iface` (its veth named, in the container's namespace `nsPath`) into
 * its bridge: for the bridges' namespace (the bridge and its address: these fail when they exist
 * already, run with -force; then the veth pair) and for the container's namespace.
 */
export function plugLines(iface: NetIface & { veth: string; bridge: string }, nsPath: string, mtu: string | undefined): { bridge: string[]; veth: string[]; ctr: string[] } {
  const br = iface.bridge;
  return {
    bridge: [`link add ${br} type bridge`, `addr add ${iface.gateway}/${iface.prefix} dev ${br}`, `link set ${br} up`],
    veth: [`link add ${iface.veth} ${mtu ? `mtu ${mtu} ` : ''}type veth peer name ${iface.ifname} address ${iface.mac} netns ${nsPath}`,
      `link set ${iface.veth} master ${br} up`],
    ctr: [`addr add ${iface.ip}/${iface.prefix} dev ${iface.ifname}`, `link set ${iface.ifname} up`,
      ...(iface.routed ? [`route add default via ${iface.gateway} dev ${iface.ifname}`] : [])],
  };
}

/**
 * Run the plug lines: bridges in `ns` (undefined: this namespace), the container's side in
 * `nsPath`; forwarding on, and route_localnet on the bridges (published ports on 127.0.0.1).
 */
export async function plug(ns: string | undefined, nsPath: string, lines: { bridge: string[]; veth: string[]; ctr: string[] }, bridges: string[]): Promise<void> {
  await ipBatch(ns, lines.bridge, true);
  await ipBatch(ns, lines.veth);
  await ipBatch(nsPath, lines.ctr);
  const sysctl = ['net.ipv4.ip_forward=1', ...bridges.map((b) => `net.ipv4.conf.${b}.route_localnet=1`)];
  if (ns) await runIn(ns, 'sysctl', ['-q', '-w', ...sysctl]);
  else await setSysctls(sysctl); // our own namespace: no process to start
}

/** Delete the veths of `ifaces`, and the bridges of `emptied` networks (netavark does the same). */
export async function unplug(ns: string | undefined, ifaces: NetIface[], emptied: (network: string) => boolean): Promise<void> {
  const lines: string[] = [];
  for (const i of ifaces) if (i.veth) lines.push(`link del ${i.veth}`);
  for (const i of ifaces) {
    if (i.bridge && emptied(i.network)) lines.push(`link del ${i.bridge}`);
  }
  if (lines.length) await ipBatch(ns, lines, true).catch(() => undefined);
}
