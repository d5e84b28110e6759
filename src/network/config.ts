// TEMPORARY stand-in (replaced by the netcli branch's config.ts)
import type { Engine } from '../engine/index.js';
import { TsmanError } from '../errors.js';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
export interface NetworkSubnet { subnet: string; gateway?: string; lease_range?: { start_ip?: string; end_ip?: string } }
export interface NetworkConfig {
  name: string; id: string; driver: string; network_interface: string; created: string;
  subnets: NetworkSubnet[]; ipv6_enabled: boolean; internal: boolean; dns_enabled: boolean;
  labels?: Record<string, string>; options?: Record<string, string>; ipam_options: { driver: string };
}
export function networkConfigDir(engine: Engine): string { return engine.config.network.network_config_dir; }
export function defaultNetwork(engine: Engine): NetworkConfig {
  const n = engine.config.network;
  return { name: n.default_network || 'podman', id: '2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9', driver: 'bridge', network_interface: 'tsman0', created: new Date().toISOString(), subnets: [{ subnet: n.default_subnet || '10.88.0.0/16', gateway: '10.88.0.1' }], ipv6_enabled: false, internal: false, dns_enabled: false, ipam_options: { driver: 'host-local' } };
}
export function listNetworks(engine: Engine): NetworkConfig[] {
  const out = [defaultNetwork(engine)];
  try { for (const f of readdirSync(networkConfigDir(engine)).sort()) if (f.endsWith('.json')) out.push(JSON.parse(readFileSync(path.join(networkConfigDir(engine), f), 'utf8'))); } catch { /* none */ }
  return out;
}
export function findNetwork(engine: Engine, q: string): NetworkConfig | undefined { return listNetworks(engine).find((n) => n.name === q || n.id === q); }
export function mustFindNetwork(engine: Engine, q: string): NetworkConfig {
  const n = findNetwork(engine, q);
  if (!n) throw new TsmanError('EGENERIC', `unable to find network with name or ID ${q}: network not found`);
  return n;
}
