// Published ports: `-p [ip:][hostPort:]containerPort[/proto]` with ranges, `-P`, and the
// reports (`tsman port`, inspect's Ports maps) in podman's shapes.
import type * as net from 'node:net';
// loaded when first used: most commands never open a socket
const netModule = () => builtin<typeof import('node:net')>('node:net');
import type * as dgram from 'node:dgram';
import { builtin } from '../util/builtin.js';
import { TsmanError } from '../errors.js';
import { handleFd } from '../netslirp/slirp.js';

/** podman's types.PortMapping, one per range */
export interface PortMapping {
  host_ip: string;
  container_port: number;
  host_port: number;
  range: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

function portNum(s: string, spec: string): number {
  if (!/^\d+$/.test(s)) throw new TsmanError('EUSAGE', `invalid port "${s}" in "${spec}": must be a number`);
  const n = Number(s);
  if (n < 1 || n > 65535) throw new TsmanError('EUSAGE', `invalid port number "${s}" in "${spec}": must be between 1 and 65535`);
  return n;
}

function portRange(s: string, spec: string): [number, number] {
  const m = /^([^-]+)(?:-(.+))?$/.exec(s);
  if (!m) throw new TsmanError('EUSAGE', `invalid port format "${spec}"`);
  const a = portNum(m[1]!, spec);
  const b = m[2] === undefined ? a : portNum(m[2], spec);
  if (b < a) throw new TsmanError('EUSAGE', `invalid port range "${s}" in "${spec}": the end is below the start`);
  return [a, b - a + 1];
}

/** One `-p` value (may hold comma-separated protocols: 53/tcp,udp is not podman's; one each). */
export function parsePublish(spec: string): PortMapping[] {
  let rest = spec;
  let proto = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0 && !rest.slice(slash).includes(']')) {
    proto = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  const protos = proto.split(',');
  for (const p of protos) {
    if (!['tcp', 'udp', 'sctp'].includes(p)) throw new TsmanError('EUSAGE', `invalid protocol "${p}" in "${spec}": must be tcp, udp or sctp`);
  }
  let hostIp = '';
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0 || rest[end + 1] !== ':') throw new TsmanError('EUSAGE', `invalid IPv6 address in "${spec}"`);
    hostIp = rest.slice(1, end);
    rest = rest.slice(end + 2);
  }
  const parts = rest.split(':');
  let hostPart = '';
  let ctrPart: string;
  if (parts.length === 1) ctrPart = parts[0]!;
  else if (parts.length === 2) [hostPart, ctrPart] = parts as [string, string];
  else if (parts.length === 3 && !hostIp) { hostIp = parts[0]!; hostPart = parts[1]!; ctrPart = parts[2]!; }
  else throw new TsmanError('EUSAGE', `invalid port format "${spec}"`);
  if (hostIp && netModule().isIP(hostIp) === 0) throw new TsmanError('EUSAGE', `invalid IP address "${hostIp}" in port mapping "${spec}"`);
  if (hostIp === '0.0.0.0') hostIp = '';
  const [cport, crange] = portRange(ctrPart, spec);
  let hport = 0;
  if (hostPart) {
    const [h, hrange] = portRange(hostPart, spec);
    if (hrange !== crange && hrange !== 1) {
      throw new TsmanError('EUSAGE', `host and container port ranges in "${spec}" have different lengths`);
    }
    hport = h;
  }
  return protos.map((p) => ({ host_ip: hostIp, container_port: cport, host_port: hport, range: crange, protocol: p as PortMapping['protocol'] }));
}

/** Each single port of the mappings: [hostIp, hostPort, containerPort, proto]. */
export function expandPorts(ports: PortMapping[]): Array<{ hostIp: string; hostPort: number; containerPort: number; protocol: string }> {
  const out: Array<{ hostIp: string; hostPort: number; containerPort: number; protocol: string }> = [];
  for (const p of ports) {
    for (let i = 0; i < p.range; i++) {
      out.push({ hostIp: p.host_ip, hostPort: p.host_port + i, containerPort: p.container_port + i, protocol: p.protocol });
    }
  }
  return out;
}

/** Check each host port can be bound now (podman refuses the container when one cannot). */
export async function checkPortsFree(ports: PortMapping[]): Promise<void> {
  (await reservePorts(ports)).close();
}

/** A free port the kernel picks (for `-p 80` and `-P`). */
export function randomPort(proto: string): Promise<number> {
  return new Promise((resolve, reject) => {
    if (proto === 'udp') {
      const s = builtin<typeof dgram>('node:dgram').createSocket('udp4');
      s.once('error', reject);
      s.bind(0, () => { const port = s.address().port; s.close(() => resolve(port)); });
    } else {
      const s = netModule().createServer();
      s.once('error', reject);
      s.listen(0, () => { const port = (s.address() as net.AddressInfo).port; s.close(() => resolve(port)); });
    }
  });
}

/** Host ports for mappings without one; the same host port twice is refused. */
export async function assignHostPorts(ports: PortMapping[]): Promise<PortMapping[]> {
  const out: PortMapping[] = [];
  for (const p of ports) {
    if (p.host_port === 0) {
      // a range without host ports: one random port each
      for (let i = 0; i < p.range; i++) {
        out.push({ ...p, container_port: p.container_port + i, range: 1, host_port: await randomPort(p.protocol) });
      }
    } else out.push(p);
  }
  const seen = new Set<string>();
  for (const e of expandPorts(out)) {
    const k = `${e.hostIp}/${e.hostPort}/${e.protocol}`;
    if (seen.has(k)) throw new TsmanError('EUSAGE', `conflicting port mappings for host port ${e.hostPort} (protocol ${e.protocol})`);
    seen.add(k);
  }
  return out;
}

/** `EXPOSE`d ports of the image ("80/tcp": {}) as mappings with random host ports (`-P`). */
export function exposedToMappings(exposed: Record<string, unknown> | undefined, existing: PortMapping[]): PortMapping[] {
  const out: PortMapping[] = [];
  for (const key of Object.keys(exposed ?? {})) {
    const [port, proto = 'tcp'] = key.split('/');
    const n = Number(port);
    if (!Number.isInteger(n) || n < 1 || n > 65535) continue;
    if (existing.some((e) => e.protocol === proto && n >= e.container_port && n < e.container_port + e.range)) continue;
    out.push({ host_ip: '', container_port: n, host_port: 0, range: 1, protocol: proto as PortMapping['protocol'] });
  }
  return out;
}

/** inspect's `Ports` / `PortBindings`: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]} */
export function portBindings(ports: PortMapping[]): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const e of expandPorts(ports)) {
    (out[`${e.containerPort}/${e.protocol}`] ??= []).push({ HostIp: e.hostIp, HostPort: String(e.hostPort) });
  }
  return out;
}

/** `tsman port` lines: "80/tcp -> 0.0.0.0:8080" */
export function portLines(ports: PortMapping[], filter?: string): string[] {
  let want: { port: number; proto?: string } | undefined;
  if (filter) {
    const [p, proto] = filter.split('/');
    want = { port: Number(p), proto };
  }
  const lines: string[] = [];
  for (const e of expandPorts(ports)) {
    if (want && (e.containerPort !== want.port || (want.proto && want.proto !== e.protocol))) continue;
    const host = e.hostIp || '0.0.0.0';
    const hostStr = netModule().isIPv6(host) ? `[${host}]` : host;
    lines.push(want ? `${hostStr}:${e.hostPort}` : `${e.containerPort}/${e.protocol} -> ${hostStr}:${e.hostPort}`);
  }
  return lines;
}

/** ps's PORTS column: "0.0.0.0:8080->80/tcp, ..." */
export function portsColumn(ports: PortMapping[]): string {
  return ports.map((p) => {
    const host = p.host_ip || '0.0.0.0';
    const hp = p.range > 1 ? `${p.host_port}-${p.host_port + p.range - 1}` : String(p.host_port);
    const cp = p.range > 1 ? `${p.container_port}-${p.container_port + p.range - 1}` : String(p.container_port);
    return `${host}:${hp}->${cp}/${p.protocol}`;
  }).join(', ');
}

/**
 * Hold the host ports of a root container's DNAT rules (podman does the same through conmon):
 * nothing else can take them while the container runs, so a second container asking for one
 * is refused clearly. Returns the sockets' fds (for the monitor to inherit) and a closer.
 */
export async function reservePorts(ports: PortMapping[]): Promise<{ fds: number[]; close: () => void }> {
  const held: Array<net.Server | dgram.Socket> = [];
  const close = (): void => { for (const h of held) { try { h.close(); } catch { /* closed */ } } };
  try {
    for (const p of expandPorts(ports)) {
      const host = p.hostIp || '0.0.0.0';
      held.push(await new Promise<net.Server | dgram.Socket>((resolve, reject) => {
        const fail = (e: NodeJS.ErrnoException): void => reject(new TsmanError('EINUSE',
          `cannot listen on the ${p.protocol.toUpperCase()} port: listen ${p.protocol} ${host}:${p.hostPort}: bind: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`));
        if (p.protocol === 'udp') {
          const s = builtin<typeof dgram>('node:dgram').createSocket(netModule().isIPv6(host) ? 'udp6' : 'udp4');
          s.once('error', fail);
          s.bind(p.hostPort, host, () => resolve(s));
        } else {
          const s = netModule().createServer();
          s.once('error', fail);
          s.listen({ port: p.hostPort, host, exclusive: true }, () => resolve(s));
        }
      }));
    }
  } catch (err) {
    close();
    throw err;
  }
  const fds = held.map(handleFd).filter((fd) => fd >= 0);
  return { fds, close };
}
