// A container's network, set up before the runtime creates it and torn down after it exits:
//
//  - every container with its own network gets a network namespace bind-mounted on
//    <rundir>/netns/<id>; the runtime joins it by path (spec linux.namespaces network.path).
//  - slirp4netns mode (rootless default): one slirp4netns per container, tied to the monitor
//    through --exit-fd; published ports through its API socket.
//  - bridge mode (root default, and user-defined networks rootless too): a Linux bridge per
//    network, a veth pair per container and network, addresses from a small IPAM file, and an
//    nftables table `ip tsman` regenerated as a whole from that file on every change (masquerade,
//    port DNAT, isolation between networks, internal networks). As root all of that lives in the
//    host's namespace. Rootless it lives in one shared "rootless network namespace" behind one
//    slirp4netns (podman's design too): ports are forwarded by that slirp4netns to the namespace,
//    and DNAT'ed there to the container.
//  - names: containers on one network find each other through /etc/hosts entries tsman keeps
//    up to date in every running member's hosts file (no DNS daemon to run).
//
// The IPAM file and the nft table are changed only under <rundir>/networks/net.lock.
import { promises as fsp, readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import type * as cryptoMod from 'node:crypto';
import { randomBytes } from '../util/random.js';
import { builtin } from '../util/builtin.js';
import type { Engine } from '../engine/index.js';
import type { ContainerRecord } from '../engine/containers/types.js';
import { FileLock } from '../util/lock.js';
import { atomicWriteJson, readJsonIfExists } from '../util/fsutil.js';
import { processStartTime } from '../storage/store.js';
import { TsmanError } from '../errors.js';
import { createNetns, bindNetns, removeNetns, ipBatch, mustRunIn, runIn } from './netns.js';
import { expandPorts, reservePorts, type PortMapping } from './ports.js';
import { parseSlirpOptions, startSlirp, slirpAddresses, addHostFwd, startPortForwarder, type SlirpOptions } from '../netslirp/slirp.js';
import { mustFindNetwork, type NetworkConfig } from './config.js';
import { ipToInt, intToIp } from '../util/ipnet.js';

/** slirp4netns: containers.conf network_cmd_path, else helper_binaries_dir, else $PATH (podman's order). */
function slirpBinary(engine: Engine): string | undefined {
  const e = engine.config.engine;
  return e.network_cmd_path || e.helper_binaries_dir.map((d) => path.join(d, 'slirp4netns')).find((p) => existsSync(p)) || undefined;
}

export interface NetIface {
  network: string;
  ifname: string;
  /** host side of the veth pair (bridge mode) */
  veth?: string;
  bridge?: string;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
  /** the container's default route goes through this interface */
  routed?: boolean;
}

/** <rundir>/containers/<id>/network.json: what setup made, so teardown can undo exactly that */
export interface NetState {
  mode: 'slirp4netns' | 'bridge';
  nsPath: string;
  slirp?: { pid: number; startTime?: string; apiSocket: string; cidr: string };
  ifaces: NetIface[];
  /** slirp4netns hostfwd ids (per-container slirp or the shared one) */
  fwdIds?: number[];
  /** set up after the runtime made the namespace: nothing holds the helpers' exit fds */
  late?: boolean;
  /** the rootless port forwarder */
  forwarder?: { pid: number; startTime?: string };
  /** the shared rootless namespace these interfaces hang off */
  rootlessNetns?: boolean;
}

export interface NetSetup {
  state: NetState;
  /** our end of slirp4netns's exit fd: the monitor must inherit it */
  keepFds: number[];
  /** call once the monitor holds keepFds */
  release: () => void;
}

interface IpamFile {
  /** network name → ip → container id */
  networks: Record<string, Record<string, string>>;
  /** container id → its DNAT rules */
  ports: Record<string, Array<{ hostIp: string; hostPort: number; ip: string; port: number; protocol: string }>>;
  /** what the nft rules need of each network in use (the table may hold networks of other stores) */
  nets?: Record<string, { subnet: string; bridge: string; internal: boolean }>;
  /** container id → its namespace file: an entry whose file is gone is a leftover of a crash */
  owners?: Record<string, string>;
}

const NFT_TABLE = 'tsman';

/** unix socket paths must stay under 108 bytes: the run dir may be deep (tests), so they go here */
function shortSocketPath(engine: Engine, name: string): string {
  const natural = path.join(engine.store.runDir, 'networks', name);
  if (natural.length < 100) return natural;
  const base = engine.rootless ? (process.env['XDG_RUNTIME_DIR'] || `/tmp/tsman-${process.env['_TSMAN_ROOTLESS_UID'] ?? 'user'}`) : '/run';
  return path.join(base, 'tsman-net', name);
}

/**
 * IPAM file, lock and shared namespace. As root the bridges, addresses and the nft table belong
 * to the host, whatever --root/--runroot a command uses: one host-wide directory, so concurrent
 * tsman commands on different stores never hand out one address twice or drop each other's rules.
 */
function netDir(engine: Engine): string {
  return engine.rootless ? path.join(engine.store.runDir, 'networks') : (process.env['TSMAN_NETWORK_RUNDIR'] || '/run/tsman/networks');
}
function netLock(engine: Engine): FileLock { return new FileLock(path.join(netDir(engine), 'net.lock')); }
function ipamFile(engine: Engine): string { return path.join(netDir(engine), 'ipam.json'); }
export function netnsPath(engine: Engine, id: string): string { return path.join(engine.store.runDir, 'netns', id); }
function stateFile(engine: Engine, id: string): string { return path.join(engine.store.runDir, 'containers', id, 'network.json'); }

export async function readNetState(engine: Engine, id: string): Promise<NetState | undefined> {
  return readJsonIfExists<NetState>(stateFile(engine, id));
}

export function readNetStateSync(engine: Engine, id: string): NetState | undefined {
  try { return JSON.parse(readFileSync(stateFile(engine, id), 'utf8')) as NetState; } catch { return undefined; }
}

/** The mode a container's config asks for: none | host | slirp4netns | bridge | container:X | ns:PATH */
export function netMode(c: ContainerRecord): string {
  return c.config.network;
}

function ownsNetns(c: ContainerRecord): boolean {
  const m = netMode(c);
  return m === 'slirp4netns' || m === 'bridge' || m === 'private';
}

// ---- setup / teardown ------------------------------------------------------------------------

/**
 * Set up the container's network. `join`: the namespace the runtime already made (a container
 * with a user namespace of its own must own its network namespace: --userns=keep-id); it is
 * bind-mounted like one tsman made, but no monitor can hold slirp4netns's exit fd any more, so
 * teardown ends the helpers by pid.
 */
export async function setupNetwork(engine: Engine, c: ContainerRecord, join?: string): Promise<NetSetup | undefined> {
  if (!ownsNetns(c)) return undefined;
  const mode = netMode(c);
  const nsPath = netnsPath(engine, c.id);
  await fsp.mkdir(path.join(engine.store.runDir, 'containers', c.id), { recursive: true, mode: 0o700 });
  // a previous run's namespace (a crash between setup and teardown)
  await teardownNetwork(engine, c).catch(() => undefined);
  if (join) await bindNetns(join, nsPath);
  else await createNetns(nsPath);
  const keepFds: number[] = [];
  let release = (): void => undefined;
  const state: NetState = { mode: mode === 'bridge' ? 'bridge' : 'slirp4netns', nsPath, ifaces: [], ...(join ? { late: true } : {}) };
  // set up late, the namespace is joined as /proc/PID/ns/net: the port forwarder ends with PID
  const lateExitPid = Number(/^\/proc\/(\d+)\//.exec(join ?? '')?.[1]) || undefined;
  try {
    if (mode === 'private' || (mode === 'bridge' && Object.keys(c.config.networks ?? {}).length === 0)) {
      // no network (the last one disconnected): loopback only
      await ipBatch(nsPath, ['link set lo up']);
    } else if (mode === 'slirp4netns') {
      const opts = parseSlirpOptions(c.config.slirpOptions ?? []);
      const apiSocket = shortSocketPath(engine, `slirp-${c.id.slice(0, 16)}.sock`);
      await fsp.mkdir(path.dirname(apiSocket), { recursive: true, mode: 0o700 });
      await fsp.rm(apiSocket, { force: true });
      const s = await startSlirp({ nsPath, apiSocket, opts, logFile: path.join(engine.store.runDir, 'containers', c.id, 'slirp.log'), noExitFd: !!join, binary: slirpBinary(engine) });
      keepFds.push(s.exitFd);
      release = () => s.exitSocket.destroy();
      state.slirp = { pid: s.pid, startTime: processStartTime(s.pid), apiSocket, cidr: opts.cidr };
      const a = slirpAddresses(opts.cidr);
      state.ifaces.push({ network: 'slirp4netns', ifname: 'tap0', ip: a.guest, prefix: a.prefix, gateway: a.gateway, mac: '' });
      await writeState(engine, c.id, state);
      if (opts.portHandler === 'slirp4netns') {
        state.fwdIds = [];
        for (const p of expandPorts(c.config.ports ?? [])) {
          state.fwdIds.push(await addHostFwd(apiSocket, { proto: p.protocol, hostAddr: p.hostIp || '0.0.0.0', hostPort: p.hostPort, guestPort: p.containerPort }));
        }
      } else {
        await forwardPorts(engine, c, state, nsPath, a.guest, keepFds, (r) => { const prev = release; release = () => { prev(); r(); }; }, lateExitPid);
      }
    } else {
      await attachBridges(engine, c, state);
      if (!state.rootlessNetns && c.config.ports?.length) {
        const r = await reservePorts(c.config.ports);
        keepFds.push(...r.fds);
        const prev = release;
        release = () => { prev(); r.close(); };
      }
      if (state.rootlessNetns && c.config.ports?.length) {
        const ns = path.join(netDir(engine), 'rootless-netns');
        await forwardPorts(engine, c, state, ns, state.ifaces[0]!.ip, keepFds, (r) => { const prev = release; release = () => { prev(); r(); }; }, lateExitPid);
      }
    }
    await writeState(engine, c.id, state);
  } catch (err) {
    release();
    await writeState(engine, c.id, state).catch(() => undefined);
    await teardownNetwork(engine, c).catch(() => undefined);
    throw err;
  }
  return { state, keepFds, release };
}

/** Rootless published ports through tsman's forwarder (podman's rootlessport), into namespace `ns`. */
async function forwardPorts(engine: Engine, c: ContainerRecord, state: NetState, ns: string, ip: string, keepFds: number[], onRelease: (r: () => void) => void, exitPid?: number): Promise<void> {
  const ports = expandPorts(c.config.ports ?? []).map((p) => ({ proto: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort, ip, port: p.containerPort }));
  if (ports.length === 0) return;
  const f = await startPortForwarder(ns, ports, path.join(engine.store.runDir, 'containers', c.id, 'portfwd.log'), !!state.late, exitPid);
  keepFds.push(f.exitFd);
  onRelease(() => f.exitSocket.destroy());
  state.forwarder = { pid: f.pid, startTime: processStartTime(f.pid) };
  await writeState(engine, c.id, state);
}

export async function writeState(engine: Engine, id: string, s: NetState): Promise<void> {
  await fsp.mkdir(path.dirname(stateFile(engine, id)), { recursive: true, mode: 0o700 });
  await atomicWriteJson(stateFile(engine, id), s, 0o600, { durable: false });
}

/** Undo what setup made; safe to call twice and after a crash half-way. */
export async function teardownNetwork(engine: Engine, c: ContainerRecord): Promise<void> {
  // none, host, container:, ns:PATH: nothing of tsman's to undo
  if (!ownsNetns(c)) return;
  const s = await readNetState(engine, c.id);
  const nsPath = netnsPath(engine, c.id);
  if (s?.slirp) {
    if (s.slirp.startTime && processStartTime(s.slirp.pid) === s.slirp.startTime) {
      try { process.kill(s.slirp.pid, 'SIGTERM'); } catch { /* gone */ }
    }
    await fsp.rm(s.slirp.apiSocket, { force: true });
  }
  if (s?.forwarder && s.forwarder.startTime && processStartTime(s.forwarder.pid) === s.forwarder.startTime) {
    try { process.kill(s.forwarder.pid, 'SIGTERM'); } catch { /* gone */ }
  }
  try {
    if (s?.mode === 'bridge' || (s === undefined && c.config.network === 'bridge')) {
      await detachBridges(engine, c, s);
    }
  } finally {
    // the namespace goes even when the bridges' side failed (an nft that cannot run): the
    // addresses are released by then, and a kept namespace would only be a leak
    await removeNetns(s?.nsPath ?? nsPath);
    await fsp.rm(stateFile(engine, c.id), { force: true });
  }
}

// ---- bridge mode -----------------------------------------------------------------------------

function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0]! & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}


function v4Subnet(n: NetworkConfig): { subnet: string; base: number; prefix: number; gateway: string; size: number } {
  const s = n.subnets.find((x) => !x.subnet.includes(':'));
  if (!s) throw new TsmanError('EGENERIC', `network ${n.name} has no IPv4 subnet`);
  const [ip, bits] = s.subnet.split('/') as [string, string];
  const prefix = Number(bits);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = (ipToInt(ip) & mask) >>> 0;
  return { subnet: `${intToIp(base)}/${prefix}`, base, prefix, gateway: s.gateway ?? intToIp(base + 1), size: 2 ** (32 - prefix) };
}

async function readIpam(engine: Engine): Promise<IpamFile> {
  const f = await readJsonIfExists<IpamFile>(ipamFile(engine));
  return { networks: f?.networks ?? {}, ports: f?.ports ?? {}, nets: f?.nets ?? {}, owners: f?.owners ?? {} };
}

/** Drop the entries of containers whose namespace is gone (a crash, a removed store). */
function collectLeftovers(ipam: IpamFile): void {
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

function allocIp(ipam: IpamFile, net: NetworkConfig, id: string, want?: string): string {
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

/** Where bridges live: undefined = this (the host's) namespace; rootless: the shared namespace. */
async function hostNs(engine: Engine, create: boolean): Promise<string | undefined> {
  if (!engine.rootless) return undefined;
  const file = path.join(netDir(engine), 'rootless-netns');
  const info = path.join(netDir(engine), 'rootless-netns.json');
  const cur = await readJsonIfExists<{ pid: number; startTime?: string }>(info);
  if (cur && processStartTime(cur.pid) === cur.startTime) return file;
  if (!create) return (await fsp.stat(file).then(() => true, () => false)) ? file : undefined;
  await removeNetns(file);
  await createNetns(file);
  await fsp.mkdir(path.dirname(rootlessSock(engine)), { recursive: true, mode: 0o700 });
  await fsp.rm(rootlessSock(engine), { force: true });
  const s = await startSlirp({
    nsPath: file, apiSocket: rootlessSock(engine), logFile: path.join(netDir(engine), 'rootless-netns.log'),
    opts: { ...parseSlirpOptions([]), enableIpv6: false, allowHostLoopback: true },
    noExitFd: true, binary: slirpBinary(engine),
  });
  s.exitSocket.destroy();
  await atomicWriteJson(info, { pid: s.pid, startTime: processStartTime(s.pid) }, 0o600, { durable: false });
  await mustRunIn(file, 'sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
  return file;
}

function rootlessSock(engine: Engine): string {
  const h = builtin<typeof cryptoMod>('node:crypto').createHash('sha256').update(engine.store.runDir).digest('hex').slice(0, 12);
  return shortSocketPath(engine, `rootless-netns-${h}.sock`);
}

async function dropRootlessNetns(engine: Engine): Promise<void> {
  const info = path.join(netDir(engine), 'rootless-netns.json');
  const cur = await readJsonIfExists<{ pid: number; startTime?: string }>(info);
  if (cur && processStartTime(cur.pid) === cur.startTime) {
    try { process.kill(cur.pid, 'SIGTERM'); } catch { /* gone */ }
  }
  await removeNetns(path.join(netDir(engine), 'rootless-netns'));
  await fsp.rm(info, { force: true });
  await fsp.rm(rootlessSock(engine), { force: true });
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
function conflictingRoute(subnet: string, br: string): string | undefined {
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

/** Join the container's namespace to its networks (or just `only` of them, for network connect). */
export async function attachBridges(engine: Engine, c: ContainerRecord, state: NetState, only?: string[]): Promise<void> {
  const names = only ?? Object.keys(c.config.networks ?? {});
  const configs = names.map((name) => mustFindNetwork(engine, name));
  await fsp.mkdir(netDir(engine), { recursive: true, mode: 0o700 });
  await netLock(engine).with(async () => {
    const ns = await hostNs(engine, true);
    state.rootlessNetns = ns !== undefined;
    const ipam = await readIpam(engine);
    collectLeftovers(ipam);
    const hostLines: string[] = [];
    const ctrLines: string[] = state.ifaces.length === 0 ? ['link set lo up'] : [];
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
      const iface: NetIface = { network: net.name, ifname, veth, bridge: br, ip, prefix: sn.prefix, gateway: sn.gateway, mac };
      const mtu = net.options?.['mtu'];
      hostLines.push(`link add ${br} type bridge`, `addr add ${sn.gateway}/${sn.prefix} dev ${br}`, `link set ${br} up`);
      hostLines.push(`link add ${veth} ${mtu ? `mtu ${mtu} ` : ''}type veth peer name ${ifname} address ${mac} netns ${state.nsPath}`,
        `link set ${veth} master ${br} up`);
      ctrLines.push(`addr add ${ip}/${sn.prefix} dev ${ifname}`, `link set ${ifname} up`);
      if (!net.internal && !routed) {
        ctrLines.push(`route add default via ${sn.gateway} dev ${ifname}`);
        routed = true;
        iface.routed = true;
      }
      state.ifaces.push(iface);
    });
    // the namespace file must show in the state before anything can fail half-way
    await writeState(engine, c.id, state);
    await atomicWriteJson(ipamFile(engine), ipam, 0o600, { durable: false });
    // bridge and address lines fail when they exist already: -force goes on; the veth lines must not fail
    await ipBatch(ns, hostLines.filter((l) => !l.includes(' veth')), true);
    await ipBatch(ns, hostLines.filter((l) => l.includes(' veth')));
    await ipBatch(state.nsPath, ctrLines);
    const brs = [...new Set(configs.map((n) => n.network_interface))];
    const sysctl = ['net.ipv4.ip_forward=1', ...brs.map((b) => `net.ipv4.conf.${b}.route_localnet=1`)];
    if (ns) await runIn(ns, 'sysctl', ['-q', '-w', ...sysctl]);
    else await setSysctls(sysctl); // our own namespace: no process to start
    // published ports: DNAT to the first network's address
    const first = state.ifaces[0]!;
    // rootless, the port forwarder connects to the container from inside the shared namespace
    if (!ns && !only) {
      ipam.ports[c.id] = expandPorts(c.config.ports ?? []).map((p) => ({ hostIp: p.hostIp, hostPort: p.hostPort, ip: first.ip, port: p.containerPort, protocol: p.protocol }));
      await atomicWriteJson(ipamFile(engine), ipam, 0o600, { durable: false });
    }
    await applyNft(engine, ns, ipam);
  });
  await updateHosts(engine, configs.map((n) => n.name));
}

/** Leave the networks (or only the network `only`, for network disconnect). */
export async function detachBridges(engine: Engine, c: ContainerRecord, s: NetState | undefined, only?: string): Promise<void> {
  const names = new Set<string>();
  await fsp.mkdir(netDir(engine), { recursive: true, mode: 0o700 });
  const ifaces = (s?.ifaces ?? []).filter((i) => !only || i.network === only);
  await netLock(engine).with(async () => {
    const ipam = await readIpam(engine);
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
    const ns = await hostNs(engine, false);
    const lines: string[] = [];
    for (const i of ifaces) if (i.veth) lines.push(`link del ${i.veth}`);
    // a bridge without members goes (netavark does the same)
    for (const i of ifaces) {
      if (i.bridge && !ipam.networks[i.network]) lines.push(`link del ${i.bridge}`);
    }
    if (lines.length && (ns || !engine.rootless)) await ipBatch(ns, lines, true).catch(() => undefined);
    if (changed) await atomicWriteJson(ipamFile(engine), ipam, 0o600, { durable: false });
    if (ns || !engine.rootless) await applyNft(engine, ns, ipam);
    if (ns && Object.keys(ipam.networks).length === 0) await dropRootlessNetns(engine);
  });
  if (names.size) await updateHosts(engine, [...names], only ? undefined : c.id);
  if (only && names.size) await updateHosts(engine, [...Object.keys(c.config.networks ?? {})].filter((n) => n !== only));
}

/** The whole `ip tsman` table from the IPAM file, replaced atomically (or removed when unused). */
async function applyNft(engine: Engine, ns: string | undefined, ipam: IpamFile): Promise<void> {
  const active = Object.keys(ipam.networks).map((n) => ipam.nets?.[n]).filter((n): n is NonNullable<typeof n> => n !== undefined);
  const lines: string[] = [`table ip ${NFT_TABLE}`, `delete table ip ${NFT_TABLE}`];
  if (active.length > 0) {
    const rules = { ports: [] as string[], post: [] as string[], fwd: [] as string[] };
    for (const n of active) {
      const sn = { subnet: n.subnet };
      const br = n.bridge;
      if (n.internal) {
        rules.fwd.push(`iifname "${br}" oifname != "${br}" reject with icmp type admin-prohibited`, `oifname "${br}" iifname != "${br}" reject with icmp type admin-prohibited`);
      } else {
        rules.post.push(`ip saddr ${sn.subnet} ip daddr != ${sn.subnet} masquerade`);
        // other tsman networks are not reachable from this one
        rules.fwd.push(`iifname "${br}" oifname "tsman*" oifname != "${br}" reject with icmp type admin-prohibited`);
      }
      // host-side clients of published ports on 127.0.0.1 (route_localnet) need a real source
      rules.post.push(`ip saddr 127.0.0.0/8 ip daddr ${sn.subnet} masquerade`);
      // a container reaching its own published port through the host
      rules.post.push(`oifname "${br}" ct status dnat ip saddr ${sn.subnet} masquerade`);
    }
    for (const list of Object.values(ipam.ports)) {
      for (const p of list) {
        const dst = ns === undefined && p.hostIp ? `ip daddr ${p.hostIp} ` : '';
        rules.ports.push(`${dst}${p.protocol} dport ${p.hostPort} dnat to ${p.ip}:${p.port}`);
      }
    }
    lines.push(`table ip ${NFT_TABLE} {`,
      '  chain prerouting { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump hostports; }',
      '  chain output { type nat hook output priority -100; policy accept; fib daddr type local jump hostports; }',
      `  chain hostports {${rules.ports.map((r) => `\n    ${r};`).join('')}\n  }`,
      `  chain postrouting { type nat hook postrouting priority srcnat; policy accept;${rules.post.map((r) => `\n    ${r};`).join('')}\n  }`,
      `  chain forward { type filter hook forward priority filter; policy accept;${rules.fwd.map((r) => `\n    ${r};`).join('')}\n  }`,
      '}');
  }
  await mustRunIn(ns, 'nft', ['-f', '-'], lines.join('\n') + '\n');
}

// ---- /etc/hosts across a network -------------------------------------------------------------

/** hosts entries for the running members of `nets` (name, aliases, short id), `except` left out */
async function memberEntries(engine: Engine, nets: string[], except?: string): Promise<Map<string, string[]>> {
  const ipam = await readIpam(engine);
  const byId = new Map(engine.store.read().containers?.map((c) => [c.id, c]) ?? []);
  const out = new Map<string, string[]>();
  for (const net of nets) {
    for (const [ip, id] of Object.entries(ipam.networks[net] ?? {})) {
      if (id === except) continue;
      const c = byId.get(id);
      if (!c) continue;
      const names = [c.name, id.slice(0, 12), ...(c.config.networks?.[net]?.aliases ?? [])];
      out.set(`${ip}\t${[...new Set(names)].join(' ')}`, [id]);
    }
  }
  return out;
}

const MARK = '# tsman network peers';

/** Rewrite the peers section of each running member's hosts file (in place: it is bind-mounted). */
async function updateHosts(engine: Engine, nets: string[], gone?: string): Promise<void> {
  const ipam = await readIpam(engine);
  const members = new Set<string>();
  for (const n of nets) for (const id of Object.values(ipam.networks[n] ?? {})) members.add(id);
  const byId = new Map(engine.store.read().containers?.map((c) => [c.id, c]) ?? []);
  for (const id of members) {
    const c = byId.get(id);
    if (!c || c.config.noHosts) continue;
    const file = path.join(engine.store.dir, 'containers', id, 'userdata', 'hosts');
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    const own = Object.keys(c.config.networks ?? {});
    const entries = await memberEntries(engine, own, id);
    const base = text.includes(MARK) ? text.slice(0, text.indexOf(MARK)) : text;
    const peers = [...entries.keys()].filter((l) => !gone || !l.includes(gone.slice(0, 12)));
    await fsp.writeFile(file, peers.length ? `${base}${MARK}\n${peers.join('\n')}\n` : base);
  }
}

/** Lines for a new member's own hosts file: its peers on its networks. */
export async function peerHostLines(engine: Engine, c: ContainerRecord): Promise<string[]> {
  const entries = await memberEntries(engine, Object.keys(c.config.networks ?? {}), c.id);
  return entries.size ? [MARK, ...entries.keys()] : [];
}

export type { SlirpOptions, PortMapping };

/**
 * `network reload`: the nft table rebuilt from the IPAM file, after something flushed the host's
 * rules (rootless: the shared namespace's table; the forwarders and slirp4netns are processes
 * and need nothing).
 */
export async function reloadFirewall(engine: Engine): Promise<void> {
  await fsp.mkdir(netDir(engine), { recursive: true, mode: 0o700 });
  await netLock(engine).with(async () => {
    const ipam = await readIpam(engine);
    collectLeftovers(ipam);
    const ns = await hostNs(engine, false);
    if (ns || !engine.rootless) await applyNft(engine, ns, ipam);
  });
}
