// The network flags of create/run turned into the container's recorded config, with podman's
// defaults (rootless: slirp4netns; root: the default bridge network) and refusals.
import { builtin } from '../util/builtin.js';
// loaded when first used: most commands never open a socket
const netModule = () => builtin<typeof import('node:net')>('node:net');
import type { NetHost, NetContainerConfig } from './backend.js';
import { TsmanError } from '../errors.js';
import { parsePublish, assignHostPorts, exposedToMappings, checkPortsFree, type PortMapping } from './ports.js';
import { parseSlirpOptions } from '../netslirp/slirp.js';
import { mustFindNetwork } from './config.js';

export interface NetworkFlags {
  network?: string;
  publish?: string[];
  publishAll?: boolean;
  networkAlias?: string[];
  ip?: string;
  mac?: string;
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  addHost?: string[];
  noHosts?: boolean;
}

/** What the network flags become in the container's recorded config. */
export interface NetConfig extends NetContainerConfig {
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** --add-host name:ip */
  addHosts?: string[];
  /** the image's EXPOSEd ports (inspect's ExposedPorts) */
  exposedPorts?: string[];
}

const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export async function resolveNetworkOptions(host: NetHost, o: NetworkFlags, exposed: string[]): Promise<NetConfig> {
  const out: NetConfig = { network: 'none' };
  const given = o.network ?? '';
  const dflt = host.rootless ? (host.config.network.default_rootless_network_cmd || 'slirp4netns') : 'bridge';
  const value = given === '' || given === 'default' || given === 'private' ? dflt : given;
  const colon = value.indexOf(':');
  const head = colon < 0 ? value : value.slice(0, colon);
  const rest = colon < 0 ? '' : value.slice(colon + 1);
  const defaultNet = host.config.network.default_network || 'podman';

  if (head === 'none' || head === 'host') {
    if (rest) throw new TsmanError('EUSAGE', `network mode "${head}" takes no options`);
    out.network = head;
  } else if (head === 'slirp4netns') {
    parseSlirpOptions(rest ? rest.split(',') : []);
    out.network = 'slirp4netns';
    if (rest) out.slirpOptions = rest.split(',');
  } else if (head === 'container') {
    if (!rest) throw new TsmanError('EUSAGE', 'container: needs a container name or ID: --network container:NAME');
    out.network = `container:${rest}`;
  } else if (head === 'ns') {
    if (!rest.startsWith('/')) throw new TsmanError('EUSAGE', `ns: needs an absolute path to a network namespace, not "${rest}"`);
    out.network = `ns:${rest}`;
  } else if (head === 'pasta') {
    throw new TsmanError('EUNSUPPORTED', 'pasta networking is not available here: use slirp4netns (the passt package of this distribution is too old)');
  } else {
    // one or more networks: NAME[:ip=..,mac=..,alias=..][,NAME2...] ('bridge' = the default network)
    out.network = 'bridge';
    out.networks = {};
    const items = colon < 0 || head === 'bridge' ? value.split(/,(?![^:,]*=)/) : [value];
    for (const item of items) {
      const c = item.indexOf(':');
      let name = c < 0 ? item : item.slice(0, c);
      if (name === 'bridge') name = defaultNet;
      const net0 = mustFindNetwork(host, name);
      const opts: { aliases?: string[]; ip?: string; mac?: string } = {};
      for (const kv of c < 0 ? [] : item.slice(c + 1).split(',')) {
        const [k, v = ''] = kv.split('=');
        if (k === 'ip') opts.ip = v;
        else if (k === 'mac') opts.mac = v;
        else if (k === 'alias') (opts.aliases ??= []).push(v);
        else throw new TsmanError('EUSAGE', `unknown network option "${kv}"`);
      }
      out.networks[net0.name] = opts;
    }
  }

  const isBridge = out.network === 'bridge';
  const ownNs = isBridge || out.network === 'slirp4netns';
  if (o.networkAlias?.length) {
    if (!isBridge) throw new TsmanError('EUSAGE', '--network-alias can only be used with networks');
    for (const n of Object.values(out.networks!)) n.aliases = [...(n.aliases ?? []), ...o.networkAlias];
  }
  for (const [flag, v] of [['--ip', o.ip], ['--mac-address', o.mac]] as const) {
    if (!v) continue;
    if (!isBridge) throw new TsmanError('EUSAGE', `${flag} can only be used with networks`);
    if (flag === '--ip' && netModule().isIPv4(v) === false) throw new TsmanError('EUSAGE', `${v} is not an IP address`);
    if (flag === '--mac-address' && !MAC_RE.test(v)) throw new TsmanError('EUSAGE', `invalid MAC address ${v}`);
    const first = Object.values(out.networks!)[0]!;
    if (flag === '--ip') first.ip = v; else first.mac = v.toLowerCase();
  }
  for (const n of Object.values(out.networks ?? {})) {
    if (n.ip && !netModule().isIPv4(n.ip)) throw new TsmanError('EUSAGE', `${n.ip} is not an IP address`);
    if (n.mac && !MAC_RE.test(n.mac)) throw new TsmanError('EUSAGE', `invalid MAC address ${n.mac}`);
  }

  let ports: PortMapping[] = [];
  for (const p of o.publish ?? []) ports.push(...parsePublish(p));
  if (o.publishAll) ports.push(...exposedToMappings(Object.fromEntries(exposed.map((e) => [e, {}])), ports));
  if (ports.length && !ownNs) {
    if (out.network.startsWith('container:')) throw new TsmanError('EUSAGE', 'invalid config provided: published or exposed ports must not be set when using a network mode of another container');
    ports = []; // podman discards them with host/none
  }
  if (ports.length) {
    ports = await assignHostPorts(ports);
    await checkPortsFree(ports);
    out.ports = ports;
  }
  if (exposed.length) out.exposedPorts = exposed;

  if ((o.dns?.length || o.dnsSearch?.length || o.dnsOption?.length) && out.network === 'none') {
    throw new TsmanError('EUSAGE', 'conflicting options: dns and the network mode: none');
  }
  for (const d of o.dns ?? []) {
    if (d !== 'none' && netModule().isIP(d) === 0) throw new TsmanError('EUSAGE', `${d} is not an ip address`);
  }
  if (o.dns?.length) out.dns = o.dns;
  if (o.dnsSearch?.length) out.dnsSearch = o.dnsSearch;
  if (o.dnsOption?.length) out.dnsOptions = o.dnsOption;
  for (const h of o.addHost ?? []) {
    const i = h.indexOf(':');
    const name = i < 0 ? '' : h.slice(0, i);
    const ip = i < 0 ? '' : h.slice(i + 1);
    if (!name || (netModule().isIP(ip) === 0 && ip !== 'host-gateway')) {
      throw new TsmanError('EUSAGE', `invalid IP address in add-host: "${ip || h}"`);
    }
  }
  if (o.addHost?.length) {
    if (o.noHosts) throw new TsmanError('EUSAGE', '--no-hosts and --add-host cannot be set together');
    out.addHosts = o.addHost;
  }
  if (o.noHosts) out.noHosts = true;
  return out;
}
