// The image verbs as the engine serves them (podman's entities.ImageEngine). The Options and
// Report types are defined with the verbs (src/engine/images.ts) and served from here.
import type { TsmanError } from '../../errors.js';
import type { Targets } from './reports.js';
import type { ImageMountReport } from '../imagemounttargets.js';
import type { ImageRecord } from '../../storage/store.js';
import type { PullRequest, ListOptions, ImageRow, RemoveReport, HistoryRow } from '../images.js';

export type { ImageRecord, PullRequest, ListOptions, ImageRow, RemoveReport, HistoryRow, ImageMountReport };

export interface ImageRmOptions { force: boolean; all: boolean; ignore?: boolean }
export interface ImagePruneOptions { all: boolean; filters: string[] }

/** an image mounted now */
export interface ImageMountEntry { id: string; names: string[]; path: string }

export interface ImageEngine {
  /** the images mounted now */
  imageMounts(): Promise<ImageMountEntry[]>;
  /** names or every image (--all): each one's mount point */
  imageMount(targets: Targets): Promise<ImageMountReport[]>;
  /** names or every mounted image (--all): each one's id */
  imageUnmount(targets: Targets): Promise<ImageMountReport[]>;
  imagePull(name: string, req: PullRequest): Promise<ImageRecord>;
  imageList(o: ListOptions): Promise<ImageRow[]>;
  /** podman's inspect documents, and one error per name not found */
  imageInspect(names: string[]): Promise<{ found: Record<string, unknown>[]; errors: TsmanError[] }>;
  imageRm(names: string[], o: ImageRmOptions): Promise<RemoveReport>;
  imageTag(name: string, targets: string[]): Promise<void>;
  imageUntag(name: string, targets: string[]): Promise<void>;
  imageExists(name: string): Promise<boolean>;
  /** the removed images' ids */
  imagePrune(o: ImagePruneOptions): Promise<string[]>;
  imageHistory(name: string): Promise<HistoryRow[]>;
}
