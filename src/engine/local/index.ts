// The engine API (src/engine/api/) served by this process over the local store and runtimes:
// podman's pkg/domain/infra/abi over libpod. Each verb's module is loaded when the verb is used
// (a command runs one verb); the verbs work on the Engine (config, store), which knows nothing of
// this class, so no import runs back up to it. The Engine is opened when a verb first needs it
// (`system migrate` never does).
import type { Engine } from '../index.js';
import type * as C from '../containers/options.js';
import type { CreateNetworkOptions } from '../../network/config.js';
import type { RemoveNetworksOptions } from '../networks.js';
import type { Targets } from '../targets.js';
import type { ConnectOptions } from '../networkconnect.js';
import type { PullRequest, ListOptions } from '../images.js';
import type { Readable, Writable } from 'node:stream';
import type { CreateVolumeOptions, RemoveVolumeOptions } from '../volumes.js';

export class LocalEngine {
  constructor(private readonly open: () => Promise<Engine>) {}

  // ---- containers (engine/api/containers.ts) ---------------------------------------------------
  async containerCreate(o: C.CreateOptions, cidfile?: string) { return (await import('../containers/index.js')).createOnly(await this.open(), o, cidfile); }
  async containerRun(o: C.CreateOptions, f: C.RunFlags) { return (await import('../containers/index.js')).runContainer(await this.open(), o, f); }
  async containerStart(t: C.Targets) { return (await import('../containers/start.js')).start(await this.open(), t); }
  async containerStartAttached(name: string, io: C.AttachIo) { return (await import('../containers/start.js')).startByName(await this.open(), name, io); }
  async containerStop(t: C.Targets, o: C.StopOptions) { return (await import('../containers/stop.js')).stop(await this.open(), t, o); }
  async containerRestart(t: C.Targets, o: C.RestartOptions) { return (await import('../containers/restart.js')).restart(await this.open(), t, o); }
  async containerKill(t: C.Targets, o: C.KillOptions) { return (await import('../containers/kill.js')).kill(await this.open(), t, o); }
  async containerRm(t: C.Targets, o: C.RmOptions) { return (await import('../containers/rm.js')).rm(await this.open(), t, o); }
  async containerWait(t: C.Targets, o: C.WaitOptions) { return (await import('../containers/wait.js')).wait(await this.open(), t, o); }
  async containerExists(name: string) { return !!(await import('../containers/lookup.js')).findContainer((await this.open()).store.read(), name); }
  async containerCleanup(names: string[]) { return (await import('../containers/cleanup.js')).cleanup(await this.open(), names); }
  async containerAttach(name: string, io: C.AttachIo) { return (await import('../containers/attach.js')).attachByName(await this.open(), name, io); }
  async containerExec(name: string, command: string[], o: C.ExecOptions) { return (await import('../containers/exec.js')).execInContainer(await this.open(), name, command, o); }
  async containerRename(name: string, newName: string) { return (await import('../containers/rename.js')).renameContainer(await this.open(), name, newName); }
  async containerPause(name: string, pause: boolean) { return (await import('../containers/pause.js')).pauseContainer(await this.open(), name, pause); }
  async containerTop(name: string) { return (await import('../containers/top.js')).topContainer(await this.open(), name); }
  async containerDiff(name: string) { return (await import('../containers/diff.js')).diffContainer(await this.open(), name); }
  async containerPort(o: C.PortOptions) { return (await import('../containers/port.js')).port(await this.open(), o); }
  async containerPrune() { return (await import('../containers/prune.js')).pruneContainers(await this.open()); }
  async containerList(o: { all: boolean; filters: string[] }) { return (await import('../containers/index.js')).listContainers(await this.open(), o); }
  async containerInspect(names: string[]) { return (await import('../containers/index.js')).inspectContainers(await this.open(), names); }
  async containerLogs(names: string[], o: C.LogOpts) { return (await import('../containers/index.js')).containerLogs(await this.open(), names, o); }

  // ---- networks (engine/api/networks.ts) -------------------------------------------------------
  async networkCreate(o: CreateNetworkOptions) { return (await import('../../network/config.js')).createNetwork(await this.open(), o); }
  async networkExists(nameOrId: string) { return (await import('../networks.js')).networkExists(await this.open(), nameOrId); }
  async networkInspect(names: string[]) { return (await import('../networks.js')).inspectNetworks(await this.open(), names); }
  async networkList(filters: string[]) { return (await import('../networks.js')).listNetworksFiltered(await this.open(), filters); }
  async networkPruneCandidates(filters: string[]) { return (await import('../networks.js')).pruneCandidates(await this.open(), filters); }
  async networkPrune(filters: string[]) { return (await import('../networks.js')).pruneNetworks(await this.open(), filters); }
  async networkRm(names: string[], o: RemoveNetworksOptions) { return (await import('../networks.js')).removeNetworks(await this.open(), names, o); }
  async networkConnect(network: string, container: string, o: ConnectOptions) { return (await import('../networkconnect.js')).connectNetwork(await this.open(), network, container, o); }
  async networkDisconnect(network: string, container: string) { return (await import('../networkconnect.js')).disconnectNetwork(await this.open(), network, container); }
  async networkReload(t: Targets) { return (await import('../networks.js')).reloadNetworks(await this.open(), t); }

  // ---- system (engine/api/system.ts) -----------------------------------------------------------
  async systemInfo() { return (await import('../info.js')).info(await this.open()); }
  async systemVersion() { return (await import('../info.js')).versionInfo(); }
  async systemMigrate() { return (await import('../system.js')).systemMigrate(); }
  async systemReset() { return (await this.open()).systemReset(); }

  // ---- images (engine/api/images.ts; the Engine holds these verbs, the pull path included) -----
  async imagePull(name: string, req: PullRequest) { return (await this.open()).pull(name, req); }
  async imageList(o: ListOptions) { return (await this.open()).listImages(o); }
  async imageInspect(names: string[]) { return (await this.open()).inspectImages(names); }
  async imageRm(names: string[], o: { force: boolean; all: boolean; ignore?: boolean }) { return (await this.open()).removeImages(names, o); }
  async imageTag(name: string, targets: string[]) { return (await this.open()).tag(name, targets); }
  async imageUntag(name: string, targets: string[]) { return (await this.open()).untag(name, targets); }
  async imageExists(name: string) { return (await this.open()).imageExists(name); }
  async imagePrune(o: { all: boolean; filters: string[] }) { return (await this.open()).pruneImages(o); }
  async imageMounts() { return (await import('../imagemount.js')).listImageMounts(await this.open()); }
  async imageMount(t: Targets) { return (await import('../imagemounttargets.js')).mountImages(await this.open(), t); }
  async imageUnmount(t: Targets) { return (await import('../imagemounttargets.js')).unmountImages(await this.open(), t); }
  async imageHistory(name: string) { return (await this.open()).history(name); }

  // ---- volumes (engine/api/volumes.ts) ---------------------------------------------------------
  async volumeCreate(o: CreateVolumeOptions) { return (await import('../volumes.js')).createVolume(await this.open(), o); }
  async volumeExists(name: string) { return (await import('../volumes.js')).volumeExists(await this.open(), name); }
  async volumeLookup(q: string) { return (await import('../volumes.js')).lookupVolume(await this.open(), q); }
  async volumeInspect(names: string[], all: boolean) { return (await import('../volumes.js')).inspectVolumes(await this.open(), names, all); }
  async volumeList(filters: string[]) { return (await import('../volumes.js')).listVolumes(await this.open(), filters); }
  async volumeRm(t: Targets, o: RemoveVolumeOptions) { return (await import('../volumetargets.js')).removeVolumes(await this.open(), t, o); }
  async volumePruneCandidates(filters: string[]) { return (await import('../volumetargets.js')).pruneCandidates(await this.open(), filters); }
  async volumePrune(filters: string[]) { return (await import('../volumes.js')).pruneVolumes(await this.open(), filters); }
  async volumeMount(name: string) { return (await import('../volumes.js')).mountVolume(await this.open(), name); }
  async volumeUnmount(name: string) { return (await import('../volumes.js')).unmountVolume(await this.open(), name); }
  async volumeExport(name: string, out: Writable) { return (await import('../volumes.js')).exportVolume(await this.open(), name, out); }
  async volumeImport(name: string, input: Readable, opts?: { warn?: (msg: string) => void }) { return (await import('../volumes.js')).importVolume(await this.open(), name, input, opts); }
}
