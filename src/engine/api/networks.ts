// The network verbs as the engine serves them (podman's entities.ContainerEngine Network* methods).
// Networks are reported as their configs (src/network/config.ts); src/engine/networks.ts turns one
// into podman's inspect/list shapes.
import type { TsmanError } from '../../errors.js';
import type { Targets } from './reports.js';
import type { NetworkConfig, CreateNetworkOptions } from '../../network/config.js';
import type { NetworkReloadReport, RemoveNetworksOptions } from '../networks.js';
import type { ConnectOptions } from '../networkconnect.js';

export type { NetworkConfig, CreateNetworkOptions, NetworkReloadReport, RemoveNetworksOptions, ConnectOptions };

export interface NetworkEngine {
  networkCreate(o: CreateNetworkOptions): Promise<NetworkConfig>;
  networkExists(nameOrId: string): Promise<boolean>;
  /** the networks found and one error per name that was not */
  networkInspect(names: string[]): Promise<{ found: NetworkConfig[]; errors: TsmanError[] }>;
  /** sorted by name, every filter key matching */
  networkList(filters: string[]): Promise<NetworkConfig[]>;
  /** what prune would remove (a bad filter fails here, before any prompt) */
  networkPruneCandidates(filters: string[]): Promise<NetworkConfig[]>;
  /** the names removed */
  networkPrune(filters: string[]): Promise<string[]>;
  /** the names removed and one error per network that was not; a network in use without force throws */
  networkRm(names: string[], o: RemoveNetworksOptions): Promise<{ removed: string[]; errors: TsmanError[] }>;
  /** a running container gets the interface at once */
  networkConnect(network: string, container: string, o: ConnectOptions): Promise<void>;
  networkDisconnect(network: string, container: string): Promise<void>;
  /** firewall rules put back; the containers whose network was set up again */
  networkReload(targets: Targets): Promise<NetworkReloadReport[]>;
}
