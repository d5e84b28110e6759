// network connect / disconnect, the network's side: what a container must be to change networks,
// and a running container getting (or losing) the interface at once. The engine records the
// change and holds the container's lock around these (engine/networkconnect.ts).
import { builtin } from '../util/builtin.js';
// loaded when first used: most commands never open a socket
const netModule = () => builtin<typeof import('node:net')>('node:net');
import { TsmanError } from '../errors.js';
import { readNetState, writeState } from './state.js';
import { backendFor } from './setup.js';
import { notOnNetworks, type NetHost, type NetContainer } from './backend.js';

export interface ConnectOptions { aliases: string[]; ip?: string; mac?: string }

/** Refuse what cannot connect: a container not on bridge networks, a bad --ip or --mac. */
export function checkConnect(c: NetContainer, o?: ConnectOptions): void {
  if (c.config.network !== 'bridge') throw notOnNetworks(c);
  if (o?.ip && !netModule().isIPv4(o.ip)) throw new TsmanError('EUSAGE', `${o.ip} is not an IP address`);
  if (o?.mac && !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(o.mac)) throw new TsmanError('EUSAGE', `invalid MAC address ${o.mac}`);
}

/** A running container (its record already naming `network`) joins it now. */
export async function connectRunning(host: NetHost, c: NetContainer, network: string): Promise<void> {
  const ns = await readNetState(host, c.id);
  if (!ns) return;
  await backendFor(ns.mode).connect(host, c, ns, network);
  await writeState(host, c.id, ns);
}

/** A running container (its record no longer naming `network`) leaves it now. */
export async function disconnectRunning(host: NetHost, c: NetContainer, network: string): Promise<void> {
  const ns = await readNetState(host, c.id);
  if (!ns) return;
  await backendFor(ns.mode).disconnect(host, c, ns, network);
  await writeState(host, c.id, ns);
}
