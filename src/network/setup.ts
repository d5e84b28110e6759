// A container's network, set up before the runtime creates it and torn down after it exits.
// Every container with a network of its own gets a network namespace bind-mounted on
// <rundir>/netns/<id> (the runtime joins it by path: spec linux.namespaces network.path); the
// backend its mode names connects it (backend.ts: slirp4netns.ts, bridge/), and what it made is
// recorded in <rundir>/containers/<id>/network.json so that teardown undoes exactly that.
import { promises as fsp } from 'node:fs';
import { TsmanError } from '../errors.js';
import { createNetns, bindNetns, removeNetns, ipBatch } from './netns.js';
import { netnsPath, containerNetDir, readNetState, writeState, removeState } from './state.js';
import { slirp4netnsBackend } from './slirp4netns.js';
import { bridgeBackend } from './bridge/index.js';
import type { NetworkBackend, NetHost, NetContainer, NetState, NetSetup, SetupContext } from './backend.js';

export type { NetHost, NetContainer, NetState, NetIface, NetSetup, NetworkBackend } from './backend.js';
export { netnsPath, readNetState, readNetStateSync, writeState } from './state.js';
export { peerHostLines } from './hosts.js';
export type { SlirpOptions } from '../netslirp/slirp.js';
export type { PortMapping } from './ports.js';

const BACKENDS: Record<NetState['mode'], NetworkBackend> = { slirp4netns: slirp4netnsBackend, bridge: bridgeBackend };

/** The backend that made (or, from the container's mode, would make) a network state. */
export function backendFor(mode: NetState['mode']): NetworkBackend {
  const b = Object.prototype.hasOwnProperty.call(BACKENDS, mode) ? BACKENDS[mode] : undefined;
  if (!b) throw new TsmanError('EGENERIC', `network state of an unknown mode ${JSON.stringify(mode)}`);
  return b;
}

/** The backend of the container's own mode (what setup would pick). */
function backendOf(c: NetContainer): NetworkBackend {
  return BACKENDS[c.config.network === 'bridge' ? 'bridge' : 'slirp4netns'];
}

/** The mode a container's config asks for: none | host | slirp4netns | bridge | container:X | ns:PATH */
export function netMode(c: NetContainer): string {
  return c.config.network;
}

/** none, host, container:, ns:PATH: the namespace is not tsman's to make */
function ownsNetns(c: NetContainer): boolean {
  const m = netMode(c);
  return m === 'slirp4netns' || m === 'bridge' || m === 'private';
}

/**
 * Set up the container's network. `join`: the namespace the runtime already made (a container
 * with a user namespace of its own must own its network namespace: --userns=keep-id); it is
 * bind-mounted like one tsman made, but no monitor can hold slirp4netns's exit fd any more, so
 * teardown ends the helpers by pid.
 */
export async function setupNetwork(host: NetHost, c: NetContainer, join?: string): Promise<NetSetup | undefined> {
  if (!ownsNetns(c)) return undefined;
  const mode = netMode(c);
  const nsPath = netnsPath(host, c.id);
  await fsp.mkdir(containerNetDir(host, c.id), { recursive: true, mode: 0o700 });
  // a previous run's namespace (a crash between setup and teardown)
  await teardownNetwork(host, c).catch(() => undefined);
  if (join) await bindNetns(join, nsPath);
  else await createNetns(nsPath);
  const keepFds: number[] = [];
  let release = (): void => undefined;
  const state: NetState = { mode: mode === 'bridge' ? 'bridge' : 'slirp4netns', nsPath, ifaces: [], ...(join ? { late: true } : {}) };
  const ctx: SetupContext = {
    host, c, state, keepFds,
    onRelease: (r) => { const prev = release; release = () => { prev(); r(); }; },
    // set up late, the namespace is joined as /proc/PID/ns/net: the port forwarder ends with PID
    lateExitPid: Number(/^\/proc\/(\d+)\//.exec(join ?? '')?.[1]) || undefined,
  };
  try {
    // --network private: loopback only
    if (mode === 'private') await ipBatch(nsPath, ['link set lo up']);
    else await backendFor(state.mode).setup(ctx);
    await writeState(host, c.id, state);
  } catch (err) {
    release();
    await writeState(host, c.id, state).catch(() => undefined);
    await teardownNetwork(host, c).catch(() => undefined);
    throw err;
  }
  return { state, keepFds, release };
}

/** Undo what setup made; safe to call twice and after a crash half-way. */
export async function teardownNetwork(host: NetHost, c: NetContainer): Promise<void> {
  if (!ownsNetns(c)) return;
  const s = await readNetState(host, c.id);
  try {
    // a state file of a mode no backend knows (damaged): the container's own mode's backend
    // undoes what it can from it
    const b = s && Object.prototype.hasOwnProperty.call(BACKENDS, s.mode) ? BACKENDS[s.mode] : backendOf(c);
    await b.teardown(host, c, s);
  } finally {
    // the namespace goes even when the backend's side failed (an nft that cannot run): the
    // addresses are released by then, and a kept namespace would only be a leak
    await removeNetns(s?.nsPath ?? netnsPath(host, c.id));
    await removeState(host, c.id);
  }
}

/**
 * `network reload`: every backend sets its rules again after something flushed the host's
 * (the bridge's nft table; slirp4netns and the forwarders are processes and need nothing).
 */
export async function reloadFirewall(host: NetHost): Promise<void> {
  for (const b of Object.values(BACKENDS)) await b.reload(host);
}
