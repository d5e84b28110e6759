// The bridge backend (root's default network, and user-defined networks rootless too): a Linux
// bridge per network, a veth pair per container and network, addresses from the IPAM file, and
// the nftables table `ip tsman` regenerated as a whole from that file on every change. As root all
// of that lives in the host's namespace; rootless in one shared namespace (rootlessns.ts), where
// published ports arrive through tsman's forwarder and are DNAT'ed to the container.
//
// The IPAM file and the nft table are changed only under the IPAM lock (ipam.ts).
import { promises as fsp, existsSync } from 'node:fs';
import { randomBytes } from '../../util/random.js';
import { TsmanError } from '../../errors.js';
import { ipBatch } from '../netns.js';
import { expandPorts, reservePorts } from '../ports.js';
import { mustFindNetwork } from '../config.js';
import { writeState } from '../state.js';
import { updateHosts } from '../hosts.js';
import { forwardPorts, stopForwarder } from '../forwarder.js';
import { netDir, netLock, readIpam, writeIpam, collectLeftovers, allocIp, v4Subnet } from './ipam.js';
import { applyNft } from './nft.js';
import { randomMac, conflictingRoute, plugLines, plug, unplug } from './link.js';
import { hostNs, dropRootlessNetns, rootlessNetnsPath } from './rootlessns.js';
import type { NetworkBackend, NetHost, NetContainer, NetState, NetIface } from '../backend.js';

/** Join the container's namespace to its networks (or just `only` of them, for network connect). */
async function attachBridges(host: NetHost, c: NetContainer, state: NetState, only?: string[]): Promise<void> {
  const names = only ?? Object.keys(c.config.networks ?? {});
  const configs = names.map((name) => mustFindNetwork(host, name));
  await fsp.mkdir(netDir(host), { recursive: true, mode: 0o700 });
  await netLock(host).with(async () => {
    const ns = await hostNs(host, true);
    state.rootlessNetns = ns !== undefined;
    const ipam = await readIpam(host);
    collectLeftovers(ipam);
    const lines = { bridge: [] as string[], veth: [] as string[], ctr: state.ifaces.length === 0 ? ['link set lo up'] : [] };
    let routed = state.ifaces.some((i) => i.routed);
    const base = state.ifaces.length;
    configs.forEach((net, i) => {
      const opts = c.config.networks?.[net.name] ?? {};
      const sn = v4Subnet(net);
      const br = net.network_interface;
      if (!ns && !existsSync(`/sys/class/net/${br}`)) {
        const other = conflictingRoute(sn.subnet, br);
        if (other) {
          throw new TsmanError('EGENERIC', `subnet ${sn.subnet} of network ${net.name} is already routed to ${other}: give tsman another subnet (containers.conf [network] default_subnet, or network create --subnet)`);
        }
      }
      const ip = allocIp(ipam, net, c.id, opts.ip);
      ipam.nets![net.name] = { subnet: sn.subnet, bridge: br, internal: net.internal };
      ipam.owners![c.id] = state.nsPath;
      const veth = `veth${randomBytes(4).toString('hex')}`;
      let n = base + i;
      while (state.ifaces.some((x) => x.ifname === `eth${n}`)) n++;
      const ifname = `eth${n}`;
      const mac = opts.mac ?? randomMac();
      const iface: NetIface & { veth: string; bridge: string } = { network: net.name, ifname, veth, bridge: br, ip, prefix: sn.prefix, gateway: sn.gateway, mac };
      // the first network with a way out carries the default route
      if (!net.internal && !routed) {
        routed = true;
        iface.routed = true;
      }
      const l = plugLines(iface, state.nsPath, net.options?.['mtu']);
      lines.bridge.push(...l.bridge);
      lines.veth.push(...l.veth);
      lines.ctr.push(...l.ctr);
      state.ifaces.push(iface);
    });
    // the namespace file must show in the state before anything can fail half-way
    await writeState(host, c.id, state);
    await writeIpam(host, ipam);
    await plug(ns, state.nsPath, lines, [...new Set(configs.map((n) => n.network_interface))]);
    // published ports: DNAT to the first network's address
    const first = state.ifaces[0]!;
    // rootless, the port forwarder connects to the container from inside the shared namespace
    if (!ns && !only) {
      ipam.ports[c.id] = expandPorts(c.config.ports ?? []).map((p) => ({ hostIp: p.hostIp, hostPort: p.hostPort, ip: first.ip, port: p.containerPort, protocol: p.protocol }));
      await writeIpam(host, ipam);
    }
    await applyNft(ns, ipam);
  });
  await updateHosts(host, configs.map((n) => n.name));
}

/** Leave the networks (or only the network `only`, for network disconnect). */
async function detachBridges(host: NetHost, c: NetContainer, s: NetState | undefined, only?: string): Promise<void> {
  const names = new Set<string>();
  await fsp.mkdir(netDir(host), { recursive: true, mode: 0o700 });
  const ifaces = (s?.ifaces ?? []).filter((i) => !only || i.network === only);
  await netLock(host).with(async () => {
    const ipam = await readIpam(host);
    collectLeftovers(ipam);
    let changed = false;
    for (const [net, ips] of Object.entries(ipam.networks)) {
      if (only && net !== only) continue;
      for (const [ip, id] of Object.entries(ips)) {
        if (id === c.id) { delete ips[ip]; changed = true; names.add(net); }
      }
      if (Object.keys(ips).length === 0) delete ipam.networks[net];
    }
    if (!only && ipam.ports[c.id]) { delete ipam.ports[c.id]; changed = true; }
    if (!only && ipam.owners?.[c.id]) { delete ipam.owners[c.id]; changed = true; }
    for (const n of Object.keys(ipam.nets ?? {})) if (!ipam.networks[n]) delete ipam.nets![n];
    const ns = await hostNs(host, false);
    // rootless without the shared namespace: nothing of ours is left to unplug
    if (ns || !host.rootless) await unplug(ns, ifaces, (net) => !ipam.networks[net]);
    if (changed) await writeIpam(host, ipam);
    if (ns || !host.rootless) await applyNft(ns, ipam);
    if (ns && Object.keys(ipam.networks).length === 0) await dropRootlessNetns(host);
  });
  if (names.size) await updateHosts(host, [...names], only ? undefined : c.id);
  if (only && names.size) await updateHosts(host, [...Object.keys(c.config.networks ?? {})].filter((n) => n !== only));
}

/**
 * `network reload`: the nft table rebuilt from the IPAM file, after something flushed the host's
 * rules (rootless: the shared namespace's table).
 */
async function reloadFirewall(host: NetHost): Promise<void> {
  await fsp.mkdir(netDir(host), { recursive: true, mode: 0o700 });
  await netLock(host).with(async () => {
    const ipam = await readIpam(host);
    collectLeftovers(ipam);
    const ns = await hostNs(host, false);
    if (ns || !host.rootless) await applyNft(ns, ipam);
  });
}

export const bridgeBackend: NetworkBackend = {
  mode: 'bridge',

  async setup(ctx) {
    const { host, c, state } = ctx;
    if (Object.keys(c.config.networks ?? {}).length === 0) {
      // no network (the last one disconnected): loopback only
      await ipBatch(state.nsPath, ['link set lo up']);
      return;
    }
    await attachBridges(host, c, state);
    if (!state.rootlessNetns && c.config.ports?.length) {
      // root: the host ports are held (bound) by the container's monitor, so nothing else takes them
      const r = await reservePorts(c.config.ports);
      ctx.keepFds.push(...r.fds);
      ctx.onRelease(() => r.close());
    }
    if (state.rootlessNetns && c.config.ports?.length) {
      await forwardPorts(ctx, rootlessNetnsPath(host), state.ifaces[0]!.ip);
    }
  },

  async teardown(host, c, s) {
    stopForwarder(s);
    await detachBridges(host, c, s);
  },

  async connect(host, c, s, network) {
    await attachBridges(host, c, s, [network]);
  },

  async disconnect(host, c, s, network) {
    await detachBridges(host, c, s, network);
    s.ifaces = s.ifaces.filter((i) => i.network !== network);
  },

  reload: reloadFirewall,
};
