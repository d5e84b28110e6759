// The `tsman network` verbs over src/network/config.ts: filters, template reports, rm/prune
// semantics. podman 4.3.1 (netavark backend) is the reference: filters of one key are OR'ed,
// different keys AND'ed; the default network is never dangling, never removed, never pruned.
import type { Engine } from './index.js';
import type { Targets } from './targets.js';
import { TsmanError } from '../errors.js';
import { groupFilters, matchLabels, parseUntil } from '../util/filters.js';
import { goMap, goStruct } from '../format/values.js';
import { GoTime } from './volumes.js';
import {
  type NetworkConfig, type NetworkSubnet, containersOnNetwork, listNetworks, mustFindNetwork, noSuchNetwork, removeNetwork,
} from '../network/config.js';
import { parseCidr, formatIp, parseIp } from '../util/ipnet.js';

function byName(a: NetworkConfig, b: NetworkConfig): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function defaultName(engine: Engine): string {
  return engine.config.network.default_network || 'podman';
}

/** In use: a container joined it; the default network always counts as used (podman's dangling filter). */
function inUse(engine: Engine, n: NetworkConfig): boolean {
  return n.name === defaultName(engine) || containersOnNetwork(engine, n.name).length > 0;
}

// ---- filters ---------------------------------------------------------------------------------

type NetFilter = (n: NetworkConfig) => boolean;

function regexMatch(pattern: string, s: string): boolean {
  try { return new RegExp(pattern).test(s); } catch { return false; }
}

function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}


const LIST_FILTERS = ['name', 'id', 'driver', 'label', 'label!', 'until', 'dangling'];
const PRUNE_FILTERS = ['label', 'label!', 'until'];

function buildFilters(engine: Engine, list: string[], allowed: string[]): NetFilter[] {
  const out: NetFilter[] = [];
  for (const [key, values] of groupFilters(list)) {
    if (!allowed.includes(key)) throw new TsmanError('EUSAGE', `invalid filter "${key}"`);
    switch (key) {
      case 'name':
        out.push((n) => values.some((v) => regexMatch(v, n.name)));
        break;
      case 'id':
        out.push((n) => values.some((v) => regexMatch(v, n.id)));
        break;
      case 'driver':
        out.push((n) => values.includes(n.driver));
        break;
      case 'label':
        out.push((n) => matchLabels(values, n.labels));
        break;
      case 'label!':
        out.push((n) => !matchLabels(values, n.labels));
        break;
      case 'until': {
        const limits = values.map((v) => parseUntil(v));
        out.push((n) => limits.some((t) => Date.parse(n.created) < t));
        break;
      }
      case 'dangling': {
        if (values.length > 1) throw new TsmanError('EUSAGE', `got more than one value for filter key "dangling"`);
        const want = parseBool(values[0]!);
        if (want === undefined) throw new TsmanError('EUSAGE', `invalid dangling filter value "${values[0]!}"`);
        out.push((n) => !inUse(engine, n) === want);
        break;
      }
    }
  }
  return out;
}

/** `network ls`: every network sorted by name, keeping those every filter key matches. */
export function listNetworksFiltered(engine: Engine, filters: string[]): NetworkConfig[] {
  const fs = buildFilters(engine, filters, LIST_FILTERS);
  return listNetworks(engine).filter((n) => fs.every((f) => f(n))).sort(byName);
}

export function networkExists(engine: Engine, nameOrId: string): boolean {
  try {
    mustFindNetwork(engine, nameOrId);
    return true;
  } catch {
    return false;
  }
}

// ---- reports ---------------------------------------------------------------------------------

/** types.IPNet as fmt prints it inside a struct: {{IP MASKHEX}}; as a value: the CIDR. */
class IPNetValue {
  constructor(readonly cidr: string) {}
  toString(): string { return this.cidr; }
  goStruct(): string {
    const c = parseCidr(this.cidr);
    const bits = c.family === 4 ? 32 : 128;
    const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - c.prefix)) - 1n);
    return `{{${formatIp({ family: c.family, value: c.network })} ${mask.toString(16).padStart(bits / 4, '0')}}}`;
  }
}

class LeaseRangeValue {
  constructor(readonly StartIP: string | null, readonly EndIP: string | null) {}
  toString(): string { return `{${this.StartIP ?? '<nil>'} ${this.EndIP ?? '<nil>'}}`; }
}

/** types.Subnet for templates: {{.Subnet}}, {{.Gateway}}, {{.LeaseRange}}; printed whole as Go prints the struct. */
class SubnetValue {
  readonly Subnet: IPNetValue;
  readonly Gateway: string | null;
  readonly LeaseRange: LeaseRangeValue | null;
  constructor(s: NetworkSubnet) {
    this.Subnet = new IPNetValue(s.subnet);
    this.Gateway = s.gateway && parseIp(s.gateway) ? s.gateway : null;
    this.LeaseRange = s.lease_range ? new LeaseRangeValue(s.lease_range.start_ip ?? null, s.lease_range.end_ip ?? null) : null;
  }
  toString(): string {
    const lr = this.LeaseRange ? `&${this.LeaseRange.toString()}` : '<nil>';
    return `{${this.Subnet.goStruct()} ${this.Gateway ?? '<nil>'} ${lr}}`;
  }
}

/** types.Network's Go fields, for `network inspect --format`. */
export function networkReport(n: NetworkConfig): Record<string, unknown> {
  return goStruct({
    Name: n.name,
    ID: n.id,
    Driver: n.driver,
    NetworkInterface: n.network_interface,
    Created: new GoTime(n.created),
    Subnets: n.subnets.map((s) => new SubnetValue(s)),
    IPv6Enabled: n.ipv6_enabled,
    Internal: n.internal,
    DNSEnabled: n.dns_enabled,
    Labels: goMap({ ...(n.labels ?? {}) }),
    Options: goMap({ ...(n.options ?? {}) }),
    IPAMOptions: goMap({ ...n.ipam_options }),
  }, 'types.Network');
}

/** podman's ListPrintReports: the network with ID truncated to 12 (unless --no-trunc) and Labels as "k=v,k2=v2". */
export function networkListRow(n: NetworkConfig, noTrunc: boolean): Record<string, unknown> {
  const r = networkReport(n);
  return goStruct({
    ...r,
    ID: noTrunc ? n.id : n.id.slice(0, 12),
    Labels: Object.entries(n.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(','),
  }, 'network.ListPrintReports');
}

/** The netavark JSON shape as podman prints it (maps with sorted keys, empty ones left out). */
export function networkJson(n: NetworkConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: n.name, id: n.id, driver: n.driver, network_interface: n.network_interface, created: n.created,
    subnets: n.subnets.map((s) => ({ subnet: s.subnet, gateway: s.gateway, lease_range: s.lease_range && { start_ip: s.lease_range.start_ip, end_ip: s.lease_range.end_ip } })),
    ipv6_enabled: n.ipv6_enabled, internal: n.internal, dns_enabled: n.dns_enabled,
  };
  if (n.labels && Object.keys(n.labels).length > 0) out.labels = goMap({ ...n.labels });
  if (n.options && Object.keys(n.options).length > 0) out.options = goMap({ ...n.options });
  out.ipam_options = goMap({ ...n.ipam_options });
  return out;
}

export function inspectNetworks(engine: Engine, names: string[]): { found: NetworkConfig[]; errors: TsmanError[] } {
  const found: NetworkConfig[] = [];
  const errors: TsmanError[] = [];
  for (const q of names) {
    try {
      found.push(mustFindNetwork(engine, q));
    } catch (err) {
      if (!(err instanceof TsmanError)) throw err;
      errors.push(new TsmanError(err.code, `inspecting object: network ${q}: ${err.message}`));
    }
  }
  return { found, errors };
}

// ---- rm / prune ------------------------------------------------------------------------------

export interface RemoveNetworksOptions {
  /** remove the containers using a network first (`network rm -f`); a missing network is no error */
  force: boolean;
  /** seconds to wait for those containers to stop (-t) */
  timeout?: number;
}

/**
 * `network rm`: the names removed and the per-network errors (missing: exit 1, the default
 * network: 125). A network in use without force is fatal at once (exit 2), as podman's is.
 */
export async function removeNetworks(engine: Engine, names: string[], o: RemoveNetworksOptions): Promise<{ removed: string[]; errors: TsmanError[] }> {
  const removed: string[] = [];
  const errors: TsmanError[] = [];
  for (const q of names) {
    let net: NetworkConfig;
    try {
      net = mustFindNetwork(engine, q);
    } catch (err) {
      if (!(err instanceof TsmanError)) throw err;
      if (!(o.force && err.code === 'ENOTFOUND')) errors.push(err.code === 'ENOTFOUND' ? noSuchNetwork(q, 1) : err);
      continue;
    }
    if (net.name !== defaultName(engine)) {
      const users = containersOnNetwork(engine, net.name);
      if (users.length > 0) {
        if (!o.force) {
          throw new TsmanError('EINUSE', `"${q}" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used`, { exitCode: 2 });
        }
        const { removeContainer } = await import('./containers/lifecycle.js');
        for (const c of users) {
          await removeContainer(engine, c.id, { force: true, volumes: false, ignore: true, timeout: o.timeout ?? c.config.stopTimeout });
        }
      }
    }
    try {
      removed.push((await removeNetwork(engine, net.name)).name);
    } catch (err) {
      if (!(err instanceof TsmanError)) throw err;
      if (!(o.force && err.code === 'ENOTFOUND')) errors.push(err.code === 'ENOTFOUND' ? noSuchNetwork(q, 1) : err);
    }
  }
  return { removed, errors };
}

/** The networks `network prune` would remove: unused, not the default, matching every filter (label, label!, until). */
export function pruneCandidates(engine: Engine, filters: string[]): NetworkConfig[] {
  const fs = buildFilters(engine, filters, PRUNE_FILTERS);
  return listNetworks(engine).filter((n) => !inUse(engine, n) && fs.every((f) => f(n))).sort(byName);
}

export async function pruneNetworks(engine: Engine, filters: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const n of pruneCandidates(engine, filters)) {
    // a container may have joined it since: check again right before
    if (containersOnNetwork(engine, n.name).length > 0) continue;
    try {
      out.push((await removeNetwork(engine, n.name)).name);
    } catch (err) {
      if (!(err instanceof TsmanError && err.code === 'ENOTFOUND')) throw err;
    }
  }
  return out;
}

// ---- reload ----------------------------------------------------------------------------------

/** `network reload`: one report per container whose network was set up again. */
export interface NetworkReloadReport { id: string }

/**
 * Put the firewall rules back (after something flushed the host's nftables rules); the containers
 * reported are the targets that are running with a bridge network (podman lists those it set up
 * again). Every named container must exist, before anything is reloaded.
 */
export async function reloadNetworks(engine: Engine, t: Targets): Promise<NetworkReloadReport[]> {
  if (!t.all && !t.latest && t.names.length === 0) throw new TsmanError('EUSAGE', 'you must provide at least one name or id');
  const { mustFindContainer } = await import('./containers/lookup.js');
  const { latestContainer } = await import('./containers/targets.js');
  const { currentState } = await import('./containers/lifecycle.js');
  const state = engine.store.read();
  let ctrs = t.all ? state.containers ?? [] : t.names.map((n) => mustFindContainer(state, n));
  if (t.latest) ctrs = [latestContainer(state.containers ?? [])].filter((c) => c !== undefined);
  const { reloadFirewall } = await import('../network/setup.js');
  await reloadFirewall(engine);
  const out: NetworkReloadReport[] = [];
  for (const c of ctrs) {
    const st = await currentState(engine, c.id);
    if ((st.status === 'running' || st.status === 'paused') && c.config.network === 'bridge') out.push({ id: c.id });
  }
  return out;
}
