// What a network backend is, and what the network code needs of its callers.
//
// A backend attaches a container's network namespace (made by network/setup.ts, which every
// backend shares) to the outside world, and undoes that: podman's netavark and slirp4netns
// drivers. tsman has two:
//  - slirp4netns (slirp4netns.ts): the rootless default, one slirp4netns per container;
//  - bridge (bridge/): Linux bridges, veth pairs, IPAM and nftables; as root in the host's
//    namespace, rootless inside one shared namespace behind one slirp4netns.
// The engine picks one by the container's recorded network mode (setup.ts: backendFor).
//
// The network code takes the engine's objects through the narrow types below, defined here so
// that network/ imports nothing from engine/ (the Engine and its ContainerRecords fit them as
// they are).
import type { Config } from '../config/index.js';
import { TsmanError } from '../errors.js';
import type { PortMapping } from './ports.js';

/** A container's options on one network it joins (--network NAME:ip=..,mac=..,alias=..). */
export interface NetworkAttachment { aliases?: string[]; ip?: string; mac?: string }

/** The recorded network settings of a container (its create-time config). */
export interface NetContainerConfig {
  /** none | host | private | slirp4netns | bridge | container:ID | ns:PATH */
  network: string;
  /** bridge mode: the networks joined, by name */
  networks?: Record<string, NetworkAttachment>;
  /** slirp4netns mode: its options (allow_host_loopback=true, ...) */
  slirpOptions?: string[];
  /** published ports, host ports assigned at create */
  ports?: PortMapping[];
  noHosts?: boolean;
}

/** What the network code reads of a container record. */
export interface NetContainer {
  readonly id: string;
  readonly name: string;
  readonly config: NetContainerConfig;
}

/** What the network code needs of the engine: its configuration, mode and store directories. */
export interface NetHost {
  readonly rootless: boolean;
  readonly config: Pick<Config, 'engine' | 'network'>;
  readonly store: {
    /** <runroot>/tsman: namespaces, state files, sockets */
    readonly runDir: string;
    /** <graphroot>/tsman: the containers' hosts files */
    readonly dir: string;
    /** the container records (the running members of a network are found among them) */
    read(): { containers?: readonly NetContainer[] };
  };
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

/** One setup in progress: the namespace exists (state.nsPath); the backend fills in the state. */
export interface SetupContext {
  host: NetHost;
  c: NetContainer;
  state: NetState;
  /** fds the container's monitor must inherit (helpers end when it closes them) */
  keepFds: number[];
  /** something to do once the monitor holds keepFds (or when setup fails) */
  onRelease(r: () => void): void;
  /** set up late (the namespace is /proc/PID/ns/net): the port forwarder ends with PID */
  lateExitPid?: number;
}

export interface NetworkBackend {
  readonly mode: NetState['mode'];
  /** Connect the new namespace; the state is written by the caller (and by the backend on the way). */
  setup(ctx: SetupContext): Promise<void>;
  /**
   * Undo what setup recorded in `s` (undefined: a crash before the state was written), helpers
   * first; the caller removes the namespace and the state file afterwards, whatever happens.
   */
  teardown(host: NetHost, c: NetContainer, s: NetState | undefined): Promise<void>;
  /** A running container joins one more network (`network connect`); `s` is updated. */
  connect(host: NetHost, c: NetContainer, s: NetState, network: string): Promise<void>;
  /** A running container leaves a network (`network disconnect`); `s` is updated. */
  disconnect(host: NetHost, c: NetContainer, s: NetState, network: string): Promise<void>;
  /** Rules set again after something flushed the host's (`network reload`). */
  reload(host: NetHost): Promise<void>;
}

/** network connect/disconnect on a container that is not on bridge networks */
export function notOnNetworks(c: NetContainer): TsmanError {
  return new TsmanError('EUSAGE', `"${c.config.network}" is not supported: network connect and disconnect need a container on bridge networks (its network mode is ${c.config.network})`);
}
