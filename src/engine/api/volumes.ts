// The volume verbs as the engine serves them (podman's entities.ContainerEngine Volume* methods).
import type { Readable, Writable } from 'node:stream';
import type { TsmanError } from '../../errors.js';
import type { Targets } from './reports.js';
import type { VolumeRecord, CreateVolumeOptions, RemoveVolumeOptions } from '../volumes.js';
import type { VolumeRmReport } from '../volumetargets.js';

export type { VolumeRecord, CreateVolumeOptions, RemoveVolumeOptions, VolumeRmReport };

export interface VolumeEngine {
  volumeCreate(o: CreateVolumeOptions): Promise<VolumeRecord>;
  /** by exact name */
  volumeExists(name: string): Promise<boolean>;
  /** by exact name or unique prefix */
  volumeLookup(q: string): Promise<VolumeRecord | undefined>;
  /** the volumes found (all: every one) and one error per name that was not */
  volumeInspect(names: string[], all: boolean): Promise<{ found: VolumeRecord[]; errors: TsmanError[] }>;
  /** sorted by name, every filter key matching */
  volumeList(filters: string[]): Promise<VolumeRecord[]>;
  /** names or --all; force: the containers using one go first, a missing one is no error */
  volumeRm(targets: Targets, o: RemoveVolumeOptions): Promise<VolumeRmReport[]>;
  /** what prune would remove */
  volumePruneCandidates(filters: string[]): Promise<VolumeRecord[]>;
  /** the names removed */
  volumePrune(filters: string[]): Promise<string[]>;
  /** the mount point */
  volumeMount(name: string): Promise<string>;
  volumeUnmount(name: string): Promise<string>;
  volumeExport(name: string, out: Writable): Promise<void>;
  volumeImport(name: string, input: Readable, opts?: { warn?: (msg: string) => void }): Promise<void>;
}
