// `network connect` / `network disconnect`: the container's record names the networks it is on
// (changed in store.json), and a running container gets (or loses) the interface at once, under
// its container lock; the network's side is network/connect.ts.
import type { Engine } from './index.js';
import type { ContainerRecord } from './containers/types.js';
import { TsmanError } from '../errors.js';
import { mustFindContainer } from './containers/lookup.js';
import { ctrLock, currentState } from './containers/lifecycle.js';
import { mustFindNetwork } from '../network/config.js';
import { checkConnect, connectRunning, disconnectRunning, type ConnectOptions } from '../network/connect.js';

export type { ConnectOptions };

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

export async function connectNetwork(engine: Engine, netName: string, ctrName: string, o: ConnectOptions): Promise<void> {
  const network = mustFindNetwork(engine, netName);
  const c = mustFindContainer(engine.store.read(), ctrName);
  checkConnect(c, o);
  await ctrLock(engine, c.id).with(async () => {
    if (c.config.networks?.[network.name]) {
      throw new TsmanError('EEXISTS', `container ${c.id} is already connected to network "${network.name}": network is already connected`);
    }
    const rec = await saveNetworks(engine, c.id, (nets) => {
      nets[network.name] = { ...(o.aliases.length ? { aliases: o.aliases } : {}), ...(o.ip ? { ip: o.ip } : {}), ...(o.mac ? { mac: o.mac.toLowerCase() } : {}) };
    });
    const st = await currentState(engine, c.id);
    if (st.status === 'running' || st.status === 'paused') {
      try {
        await connectRunning(engine, rec, network.name);
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
  checkConnect(c);
  await ctrLock(engine, c.id).with(async () => {
    if (!c.config.networks?.[network.name]) {
      throw new TsmanError('EGENERIC', `container ${c.id} is not connected to network ${network.name}: network is not connected`);
    }
    const rec = await saveNetworks(engine, c.id, (nets) => { delete nets[network.name]; });
    const st = await currentState(engine, c.id);
    if (st.status === 'running' || st.status === 'paused') await disconnectRunning(engine, rec, network.name);
  });
}
