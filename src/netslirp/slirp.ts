// slirp4netns: user-mode networking for a network namespace we own (rootless). Started against a
// namespace path (--netns-type=path), configured by itself (-c), ready when it writes to --ready-fd,
// and ended when the --exit-fd closes: the caller hands that fd to conmon, so slirp4netns never
// outlives the container's monitor even if no tsman runs cleanup. Ports go through its API socket.
import { builtin } from '../util/builtin.js';
// loaded when first used: child_process (and net, which it loads) cost ~1-2 ms of every start
const childProcess = () => builtin<typeof import('node:child_process')>('node:child_process');
import { openSync, closeSync, readFileSync } from 'node:fs';
// loaded when first used: most commands never open a socket
const netModule = () => builtin<typeof import('node:net')>('node:net');
import type { Socket } from 'node:net';
import { TsmanError } from '../errors.js';
import { systemTool } from '../util/systool.js';
import { ipToInt, intToIp } from '../util/ipnet.js';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../util/selfpath.js';

export interface SlirpOptions {
  allowHostLoopback: boolean;
  mtu: number;
  cidr: string;
  enableIpv6: boolean;
  outboundAddr?: string;
  /** podman's port_handler: rootlesskit (default: tsman's own forwarder, src/netslirp/portfwd.c) or slirp4netns (its API) */
  portHandler: string;
}

export const DEFAULT_SLIRP_CIDR = '10.0.2.0/24';

/** `slirp4netns:allow_host_loopback=true,mtu=1500,...` → options (podman's names and checks). */
export function parseSlirpOptions(list: string[]): SlirpOptions {
  const o: SlirpOptions = { allowHostLoopback: false, mtu: 65520, cidr: DEFAULT_SLIRP_CIDR, enableIpv6: true, portHandler: 'rootlesskit' };
  const bool = (k: string, v: string): boolean => {
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new TsmanError('EUSAGE', `cannot parse ${k} value ${JSON.stringify(v)}: must be true or false`);
  };
  for (const item of list) {
    if (!item) continue;
    const i = item.indexOf('=');
    const k = i < 0 ? item : item.slice(0, i);
    const v = i < 0 ? '' : item.slice(i + 1);
    switch (k) {
      case 'allow_host_loopback': o.allowHostLoopback = bool(k, v); break;
      case 'enable_ipv6': o.enableIpv6 = bool(k, v); break;
      case 'mtu': {
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 68 || n > 65521) throw new TsmanError('EUSAGE', `invalid slirp4netns mtu ${JSON.stringify(v)}: must be between 68 and 65521`);
        o.mtu = n;
        break;
      }
      case 'cidr': {
        const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(v);
        if (!m || Number(m[5]) > 25 || m.slice(1, 5).some((x) => Number(x) > 255)) {
          throw new TsmanError('EUSAGE', `invalid slirp4netns cidr ${JSON.stringify(v)}: an IPv4 network with a prefix of at most /25 is needed`);
        }
        o.cidr = v;
        break;
      }
      case 'outbound_addr': o.outboundAddr = v; break;
      case 'port_handler':
        if (v !== 'slirp4netns' && v !== 'rootlesskit') throw new TsmanError('EUSAGE', `unknown port_handler for slirp4netns: ${JSON.stringify(v)}`);
        o.portHandler = v;
        break;
      default:
        throw new TsmanError('EUSAGE', `unknown option for slirp4netns: ${JSON.stringify(item)}`);
    }
  }
  return o;
}

/** The addresses slirp4netns gives a cidr: guest .100, gateway (the host) .2, DNS .3 */
export function slirpAddresses(cidr: string): { guest: string; gateway: string; dns: string; prefix: number } {
  const [ip, bits] = cidr.split('/') as [string, string];
  const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
  const net0 = (ipToInt(ip) & mask) >>> 0;
  const at = (n: number): string => intToIp((net0 + n) >>> 0);
  return { guest: at(100), gateway: at(2), dns: at(3), prefix: Number(bits) };
}

export interface SlirpStarted {
  pid: number;
  /** our end of its --exit-fd: pass it on to the container's monitor, then close it */
  exitFd: number;
  exitSocket: Socket;
}

/** Start slirp4netns for the namespace at `nsPath`; resolves when it is ready. */
export async function startSlirp(o: { nsPath: string; apiSocket?: string; logFile: string; opts: SlirpOptions; binary?: string; noExitFd?: boolean }): Promise<SlirpStarted> {
  const args = ['--configure', `--mtu=${o.opts.mtu}`, '--enable-sandbox', '--enable-seccomp'];
  if (!o.opts.allowHostLoopback) args.push('--disable-host-loopback');
  if (o.opts.cidr !== DEFAULT_SLIRP_CIDR) args.push(`--cidr=${o.opts.cidr}`);
  if (o.opts.enableIpv6) args.push('--enable-ipv6');
  if (o.opts.outboundAddr) args.push(`--outbound-addr=${o.opts.outboundAddr}`);
  if (o.apiSocket) args.push('--api-socket', o.apiSocket);
  args.push('-r', '3', ...(o.noExitFd ? [] : ['-e', '4']), '--netns-type=path', o.nsPath, 'tap0');
  // by absolute path: found outside $PATH too (util/systool.ts)
  const binary = systemTool(o.binary ?? 'slirp4netns');
  const log = openSync(o.logFile, 'a', 0o600);
  let child;
  try {
    child = childProcess().spawn(binary, args, { detached: true, stdio: ['ignore', log, log, 'pipe', 'pipe'] });
  } finally {
    closeSync(log);
  }
  const fds = child.stdio as unknown as Array<Socket | null>;
  const ready = fds[3]!;
  const exitSocket = fds[4]!;
  const ok = await new Promise<boolean>((resolve, reject) => {
    let done = false;
    const finish = (v: boolean): void => { if (!done) { done = true; resolve(v); } };
    ready.once('data', () => finish(true));
    ready.once('end', () => finish(false));
    child.once('error', (e) => { done = true; reject(new TsmanError('EGENERIC', `cannot run slirp4netns: ${e.message}`)); });
    child.once('exit', () => finish(false));
  });
  ready.destroy();
  if (!ok) {
    exitSocket.destroy();
    let why = '';
    try { why = readFileSync(o.logFile, 'utf8').trim().split('\n').slice(-3).join(': '); } catch { /* none */ }
    throw new TsmanError('EGENERIC', `slirp4netns failed${why ? `: ${why}` : ''}`);
  }
  child.unref();
  return { pid: child.pid!, exitFd: handleFd(exitSocket), exitSocket };
}

/** The fd under a Node socket or server (to hand on to a child process); -1 when it has none. */
export function handleFd(h: unknown): number {
  const o = h as { _handle?: { fd?: number } };
  // a dgram socket's _handle is a getter that prints a deprecation warning (DEP0112): its
  // handle is in its state object
  const state = Object.getOwnPropertySymbols(o).find((s) => s.description === 'state symbol');
  if (state) return (o as unknown as Record<symbol, { handle?: { fd?: number } }>)[state]?.handle?.fd ?? -1;
  return o._handle?.fd ?? -1;
}

/** One request on slirp4netns's API socket. */
export function slirpApi(socket: string, req: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const c = netModule().createConnection(socket);
    let buf = '';
    c.on('connect', () => { c.end(JSON.stringify(req)); });
    c.on('data', (d) => { buf += d.toString(); });
    c.on('error', (e) => reject(new TsmanError('EGENERIC', `slirp4netns API ${socket}: ${e.message}`)));
    c.on('close', () => {
      try { resolve(JSON.parse(buf) as Record<string, unknown>); } catch { reject(new TsmanError('EGENERIC', `slirp4netns API: bad answer ${JSON.stringify(buf)}`)); }
    });
  });
}

export async function addHostFwd(socket: string, f: { proto: string; hostAddr: string; hostPort: number; guestAddr?: string; guestPort: number }): Promise<number> {
  const args: Record<string, unknown> = { proto: f.proto, host_addr: f.hostAddr, host_port: f.hostPort, guest_port: f.guestPort };
  if (f.guestAddr) args['guest_addr'] = f.guestAddr;
  const r = await slirpApi(socket, { execute: 'add_hostfwd', arguments: args });
  if (r['error']) {
    const e = r['error'] as { desc?: string };
    throw new TsmanError('EINUSE', `cannot expose port ${f.hostPort}/${f.proto} on ${f.hostAddr}: ${e.desc ?? JSON.stringify(e)}`);
  }
  return Number((r['return'] as { id?: number } | undefined)?.id ?? -1);
}

export interface ForwarderStarted { pid: number; exitFd: number; exitSocket: Socket }

/** The compiled forwarder (src/netslirp/portfwd.c, built by `npm run build`). */
export function forwarderBinary(): string {
  return path.join(PACKAGE_ROOT, 'dist', 'tsman-portfwd');
}

/**
 * Start the rootless port forwarder (portfwd.c) for `ports` into the namespace `ns`; resolves once
 * every host port is bound. Its --exit-fd is fd 3: pass `exitFd` to the monitor, then close it.
 * `late` (no monitor can hold the fd: the namespace was made after it started): the forwarder
 * ends with process `exitPid` (the container's) instead, and is ended by pid at teardown.
 */
export async function startPortForwarder(ns: string, ports: Array<{ proto: string; hostIp: string; hostPort: number; ip: string; port: number }>, logFile: string, late = false, exitPid?: number): Promise<ForwarderStarted> {
  const tie = !late ? ['--exit-fd', '3'] : exitPid ? ['--exit-pid', String(exitPid)] : [];
  const args = [...tie, ns,
    ...ports.map((p) => [p.proto, p.hostIp, p.hostPort, p.ip, p.port].join(','))];
  const log = openSync(logFile, 'a', 0o600);
  let child;
  try {
    child = childProcess().spawn(forwarderBinary(), args, { detached: true, stdio: ['ignore', 'pipe', log, 'pipe'] });
  } finally {
    closeSync(log);
  }
  const fds = child.stdio as unknown as Array<Socket | null>;
  const out = fds[1]!;
  const exitSocket = fds[3]!;
  const answer = await new Promise<string>((resolve, reject) => {
    let buf = '';
    out.on('data', (d: Buffer) => { buf += d.toString(); if (buf.includes('\n')) resolve(buf.trim()); });
    out.once('end', () => resolve(buf.trim()));
    child.once('error', (e) => reject(new TsmanError('EGENERIC', `cannot run the port forwarder ${forwarderBinary()}: ${e.message}`)));
  });
  out.destroy();
  if (answer !== 'ready') {
    exitSocket.destroy();
    throw new TsmanError('EINUSE', `rootlessport ${answer.replace(/^error: /, '') || 'exited without a word'}`);
  }
  child.unref();
  return { pid: child.pid!, exitFd: handleFd(exitSocket), exitSocket };
}
