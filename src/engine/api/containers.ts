// The container verbs as the engine serves them (podman's entities.ContainerEngine). The CLI
// (src/cli/container/) calls these and prints what they return; a REST API can serve the same.
// The Options and Report types are defined next to the verbs (src/engine/containers/options.ts)
// and served from here; src/engine/api/index.ts checks that the Engine implements this.
import type { ContainerRecord, ContainerState } from '../containers/types.js';
import type * as O from '../containers/options.js';

export type * from '../containers/options.js';

export interface ContainerEngine {
  containerCreate(o: O.CreateOptions, cidfile?: string): Promise<ContainerRecord>;
  /** the container's exit code (or 0 when detached) */
  containerRun(o: O.CreateOptions, f: O.RunFlags): Promise<number>;
  containerStart(targets: O.Targets): Promise<O.StartReport[]>;
  /** start one container attached to `io`; its exit code */
  containerStartAttached(name: string, io: O.AttachIo): Promise<number>;
  containerStop(targets: O.Targets, o: O.StopOptions): Promise<O.StopReport[]>;
  containerRestart(targets: O.Targets, o: O.RestartOptions): Promise<O.RestartReport[]>;
  containerKill(targets: O.Targets, o: O.KillOptions): Promise<O.KillReport[]>;
  containerRm(targets: O.Targets, o: O.RmOptions): Promise<O.RmReport[]>;
  containerWait(targets: O.Targets, o: O.WaitOptions): Promise<O.WaitReport[]>;
  containerExists(name: string): Promise<boolean>;
  containerCleanup(names: string[]): Promise<void>;
  containerAttach(name: string, io: O.AttachIo): Promise<number>;
  /** the command's exit code (0 when detached) */
  containerExec(name: string, command: string[], o: O.ExecOptions): Promise<number>;
  containerRename(name: string, newName: string): Promise<void>;
  /** pause (true) or unpause (false); the container's id */
  containerPause(name: string, pause: boolean): Promise<string>;
  /** rows of `ps`-like columns, the header first */
  containerTop(name: string): Promise<string[][]>;
  containerDiff(name: string): Promise<O.Change[]>;
  containerPort(o: O.PortOptions): Promise<O.PortReport[]>;
  /** the removed containers' ids */
  containerPrune(): Promise<string[]>;
  containerList(o: { all: boolean; filters: string[] }): Promise<Array<{ c: ContainerRecord; st: ContainerState }>>;
  containerInspect(names: string[]): Promise<{ found: Record<string, unknown>[]; missing: string[] }>;
  containerLogs(names: string[], o: O.LogOpts): Promise<void>;
}
