// Addresses of bridge networks: one IPAM file, <netdir>/ipam.json, that also holds what the nft
// table is made from (each container's port DNATs, the networks in use). It is read and written
// only under <netdir>/net.lock, which guards the nft table too.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { FileLock } from '../../util/lock.js';
import { atomicWriteJson, readJsonIfExists } from '../../util/fsutil.js';
import { TsmanError } from '../../errors.js';
import { ipToInt, intToIp } from '../../util/ipnet.js';
import type { NetHost } from '../backend.js';
import type { NetworkConfig } from '../config.js';

export interface IpamFile {
  /** network name → ip → container id */
  networks: Record<string, Record<string, string>>;
  /** container id → its DNAT rules */
  ports: Record<string, Array<{ hostIp: string; hostPort: number; ip: string; port: number; protocol: string }>>;
  /** what the nft rules need of each network in use (the table may hold networks of other stores) */
  nets?: Record<string, { subnet: string; bridge: string; internal: boolean }>;
  /** container id → its namespace file: an entry whose file is gone is a leftover of a crash */
  owners?: Record<string, string>;
}

/**
 * IPAM file, lock and shared namespace. As root the bridges, addresses and the nft table belong
 * to the host, whatever --root/--runroot a command uses: one host-wide directory, so concurrent
 * tsman commands on different stores never hand out one address twice or drop each other's rules.
 */
export function netDir(host: NetHost): string {
  return host.rootless ? path.join(host.store.runDir, 'networks') : (process.env['TSMAN_NETWORK_RUNDIR'] || '/run/tsman/networks');
}
export function netLock(host: NetHost): FileLock { return new FileLock(path.join(netDir(host), 'net.lock')); }
function ipamFile(host: NetHost): string { return path.join(netDir(host), 'ipam.json'); }

export async function readIpam(host: NetHost): Promise<IpamFile> {
  const f = await readJsonIfExists<IpamFile>(ipamFile(host));
  return { networks: f?.networks ?? {}, ports: f?.ports ?? {}, nets: f?.nets ?? {}, owners: f?.owners ?? {} };
}

export async function writeIpam(host: NetHost, ipam: IpamFile): Promise<void> {
  await atomicWriteJson(ipamFile(host), ipam, 0o600, { durable: false });
}

/** Drop the entries of containers whose namespace is gone (a crash, a removed store). */
export function collectLeftovers(ipam: IpamFile): void {
  for (const [id, ns] of Object.entries(ipam.owners ?? {})) {
    if (existsSync(ns)) continue;
    for (const [net, ips] of Object.entries(ipam.networks)) {
      for (const [ip, owner] of Object.entries(ips)) if (owner === id) delete ips[ip];
      if (Object.keys(ips).length === 0) delete ipam.networks[net];
    }
    delete ipam.ports[id];
    delete ipam.owners![id];
  }
  for (const n of Object.keys(ipam.nets ?? {})) if (!ipam.networks[n]) delete ipam.nets![n];
}

export function v4Subnet(n: NetworkConfig): { subnet: string; base: number; prefix: number; gateway: string; size: number } {
  const s = n.subnets.find((x) => !x.subnet.includes(':'));
  if (!s) throw new TsmanError('EGENERIC', `network ${n.name} has no IPv4 subnet`);
  const [ip, bits] = s.subnet.split('/') as [string, string];
  const prefix = Number(bits);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = (ipToInt(ip) & mask) >>> 0;
  return { subnet: `${intToIp(base)}/${prefix}`, base, prefix, gateway: s.gateway ?? intToIp(base + 1), size: 2 ** (32 - prefix) };
}

export function allocIp(ipam: IpamFile, net: NetworkConfig, id: string, want?: string): string {
  const sn = v4Subnet(net);
  const used = (ipam.networks[net.name] ??= {});
  if (want) {
    const n = ipToInt(want);
    if (n <= sn.base || n >= sn.base + sn.size - 1 || want === sn.gateway) {
      throw new TsmanError('EUSAGE', `requested static ip ${want} not in any subnet on network ${net.name}`);
    }
    if (used[want] && used[want] !== id) throw new TsmanError('EINUSE', `IPAM error: requested ip address ${want} is already allocated to container ID ${used[want]}`);
    used[want] = id;
    return want;
  }
  for (let i = 2; i < sn.size - 1; i++) {
    const ip = intToIp(sn.base + i);
    if (ip === sn.gateway || used[ip]) continue;
    used[ip] = id;
    return ip;
  }
  throw new TsmanError('EGENERIC', `IPAM error: failed to find free IP in range: ${sn.subnet}`);
}
