// network connect / disconnect: change which networks a bridge-mode container is on; a running
// container gets (or loses) the interface at once, under its container lock.
import type { Engine } from '../engine/index.js';
import type { ContainerRecord } from '../engine/containers/types.js';
import { TsmanError } from '../errors.js';
import { mustFindContainer } from '../engine/containers/lookup.js';
import { ctrLock, currentState } from '../engine/containers/lifecycle.js';
import { mustFindNetwork } from './config.js';
import { attachBridges, detachBridges, readNetState, writeState } from './setup.js';
import type * as net from 'node:net';
import { builtin } from '../util/builtin.js';
// loaded when first used: most commands never open a socket
const netModule = () => builtin<typeof import('node:net')>('node:net');

export interface ConnectOptions { aliases: string[]; ip?: string; mac?: string }

async function saveNetworks(engine: Engine, id: string, change: (nets: NonNullable<ContainerRecord['config']['networks']>) => void): Promise<ContainerRecord> {
  return engine.store.update((state) => {
    const rec = (state.containers ?? []).find((x) => x.id === id);
    if (!rec) throw new TsmanError('ENOTFOUND', `no container with name or ID "${id}" found: no such container`);
    const nets = { ...(rec.config.networks ?? {}) };
    change(nets);
    rec.config.networks = nets;
    return { save: true, value: rec };
  });
}

function mustBeBridge(c: ContainerRecord): void {
  if (c.config.network !== 'bridge') {
    throw new TsmanError('EUSAGE', `"${c.config.network}" is not supported: network connect and disconnect need a container on bridge networks (its network mode is ${c.config.network})`);
  }
}

export async function connectNetwork(engine: Engine, netName: string, ctrName: string, o: ConnectOptions): Promise<void> {
  const network = mustFindNetwork(engine, netName);
  const c = mustFindContainer(engine.store.read(), ctrName);
  mustBeBridge(c);
  if (o.ip && !netModule().isIPv4(o.ip)) throw new TsmanError('EUSAGE', `${o.ip} is not an IP address`);
  if (o.mac && !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(o.mac)) throw new TsmanError('EUSAGE', `invalid MAC address ${o.mac}`);
  await ctrLock(engine, c.id).with(async () => {
    if (c.config.networks?.[network.name]) {
      throw new TsmanError('EEXISTS', `container ${c.id} is already connected to network "${network.name}": network is already connected`);
    }
    const rec = await saveNetworks(engine, c.id, (nets) => {
      nets[network.name] = { ...(o.aliases.length ? { aliases: o.aliases } : {}), ...(o.ip ? { ip: o.ip } : {}), ...(o.mac ? { mac: o.mac.toLowerCase() } : {}) };
    });
    const st = await currentState(engine, c.id);
    const ns = await readNetState(engine, c.id);
    if ((st.status === 'running' || st.status === 'paused') && ns) {
      try {
        await attachBridges(engine, rec, ns, [network.name]);
        await writeState(engine, c.id, ns);
      } catch (err) {
        await saveNetworks(engine, c.id, (nets) => { delete nets[network.name]; });
        throw err;
      }
    }
  });
}

export async function disconnectNetwork(engine: Engine, netName: string, ctrName: string): Promise<void> {
  const network = mustFindNetwork(engine, netName);
  const c = mustFindContainer(engine.store.read(), ctrName);
  mustBeBridge(c);
  await ctrLock(engine, c.id).with(async () => {
    if (!c.config.networks?.[network.name]) {
      throw new TsmanError('EGENERIC', `container ${c.id} is not connected to network ${network.name}: network is not connected`);
    }
    const rec = await saveNetworks(engine, c.id, (nets) => { delete nets[network.name]; });
    const st = await currentState(engine, c.id);
    const ns = await readNetState(engine, c.id);
    if ((st.status === 'running' || st.status === 'paused') && ns) {
      await detachBridges(engine, rec, ns, network.name);
      ns.ifaces = ns.ifaces.filter((i) => i.network !== network.name);
      await writeState(engine, c.id, ns);
    }
  });
}
