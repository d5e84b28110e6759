// The objects `--format` templates see, with podman's field names (its entities reports), so
// `{{.ID}}`, `{{.Repository}}`, `{{.Store.GraphRoot}}` work as podman users expect.
import type { ImageRow, HistoryRow } from './images.js';
import { humanSize, timeAgo, goTimeString } from '../util/human.js';
import { splitName } from './lookup.js';
import { byteCompare } from '../util/human.js';

export interface ImageReport {
  ID: string;
  Id: string;
  Repository: string;
  Tag: string;
  Digest: string;
  Created: string;
  CreatedAt: string;
  CreatedSince: string;
  CreatedTime: string;
  Size: string;
  VirtualSize: number;
  SharedSize: number;
  ReadOnly: boolean;
  IsReadOnly: boolean;
  Dangling: boolean;
  Containers: number;
  Labels: Record<string, string> | null;
  Names: string[];
  RepoTags: string[];
  RepoDigests: string[];
  History: string[];
  ParentId: string;
  _created: number;
  _size: number;
}

export function imageRow(r: ImageRow, noTrunc: boolean): ImageReport {
  const rec = r.record;
  const created = Date.parse(rec.created);
  return {
    ID: noTrunc ? `sha256:${rec.id}` : rec.id.slice(0, 12),
    Id: rec.id,
    Repository: r.repository,
    Tag: r.tag,
    Digest: rec.digest,
    Created: timeAgo(created),
    CreatedSince: timeAgo(created),
    CreatedAt: goTimeString(rec.created),
    CreatedTime: goTimeString(rec.created),
    Size: humanSize(rec.size),
    VirtualSize: rec.size,
    SharedSize: 0,
    ReadOnly: false,
    IsReadOnly: false,
    Dangling: rec.names.length === 0,
    Containers: 0,
    Labels: r.config.config?.Labels ?? null,
    Names: rec.names,
    RepoTags: rec.names,
    RepoDigests: repoDigests(rec.names, rec.digests),
    History: rec.namesHistory ?? [],
    ParentId: '',
    _created: created,
    _size: rec.size,
  };
}

export function repoDigests(names: string[], digests: string[]): string[] {
  const out: string[] = [];
  for (const n of names) for (const d of digests) {
    const s = `${splitName(n).repo}@${d}`;
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

export function sortImageRows(rows: ImageReport[], by: string): ImageReport[] {
  const cmp: Record<string, (a: ImageReport, b: ImageReport) => number> = {
    created: (a, b) => b._created - a._created,
    id: (a, b) => byteCompare(a.ID, b.ID),
    repository: (a, b) => a.Repository.localeCompare(b.Repository) || a.Tag.localeCompare(b.Tag),
    tag: (a, b) => a.Tag.localeCompare(b.Tag),
    size: (a, b) => a._size - b._size,
  };
  const f = cmp[by];
  if (!f) throw Object.assign(new Error(`invalid option for --sort, options are: [created id repository size tag]`), { name: 'UsageError' });
  return [...rows].sort(f);
}

/** `images --format json`: podman's ImageSummary. */
export function imageJson(r: ImageRow): Record<string, unknown> {
  const rec = r.record;
  return {
    Id: rec.id,
    ParentId: '',
    RepoTags: rec.names.length ? rec.names : null,
    RepoDigests: repoDigests(rec.names, rec.digests),
    Size: rec.size,
    SharedSize: 0,
    VirtualSize: rec.size,
    Labels: r.config.config?.Labels ?? null,
    Containers: 0,
    Names: rec.names.length ? rec.names : undefined,
    Digest: rec.digest,
    History: rec.namesHistory ?? (rec.names.length ? rec.names : undefined),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    CreatedAt: rec.created,
  };
}

export function historyRow(h: HistoryRow, noTrunc: boolean, human: boolean): Record<string, unknown> {
  let createdBy = h.createdBy;
  if (!noTrunc && createdBy.length > 45) createdBy = createdBy.slice(0, 42) + '...';
  return {
    ID: h.id === '<missing>' ? h.id : (noTrunc ? `sha256:${h.id}` : h.id.slice(0, 12)),
    Created: h.created ? (human ? timeAgo(h.created) : h.created) : '',
    CreatedAt: h.created,
    CreatedSince: h.created ? timeAgo(h.created) : '',
    CreatedBy: createdBy,
    Size: human ? humanSize(h.size) : String(h.size),
    Comment: h.comment,
    Tags: h.tags,
  };
}
