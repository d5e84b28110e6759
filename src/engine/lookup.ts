// Finding a local image from what a user typed: an id (or unique prefix), a full name, a
// name@digest, or a short name matched on whole path components (`busybox` finds
// `127.0.0.1:5000/tsman/busybox:latest`), the way podman's libimage looks up local images.
import type { ImageRecord, StoreState } from '../storage/store.js';
import { TsmanError } from '../errors.js';
import { parseReference } from '../image/reference.js';
import { byteCompare } from '../util/human.js';

export function splitName(name: string): { repo: string; tag: string } {
  const at = name.indexOf('@');
  const base = at >= 0 ? name.slice(0, at) : name;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  if (colon > slash) return { repo: base.slice(0, colon), tag: base.slice(colon + 1) };
  return { repo: base, tag: '<none>' };
}

function registryOf(repo: string): string | undefined {
  const first = repo.split('/')[0]!;
  return repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : undefined;
}

export function findImage(state: StoreState, input: string): ImageRecord | undefined {
  const s = input.trim();
  // ids are sha256 hex; `sha384:`/`sha512:` ids were recorded by older versions for configs
  // digested so (see isImageId in storage/store.ts): found by what `images` shows of them
  const idm = /^(?:sha256:)?([0-9a-f]{3,64})$/.exec(s) ?? /^(sha(?:384|512):[0-9a-f]{3,128})$/.exec(s);
  if (idm) {
    const hits = state.images.filter((i) => i.id.startsWith(idm[1]!));
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) throw new TsmanError('EUSAGE', `${s}: image id is ambiguous: ${hits.length} images match`);
  }
  let ref;
  try {
    ref = parseReference(s);
  } catch {
    return undefined;
  }
  const repo = ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
  if (ref.digest) {
    return state.images.find((i) => i.digests.includes(ref.digest!) && i.names.some((n) => repoMatches(splitName(n).repo, repo, !!ref.registry)))
      ?? state.images.find((i) => i.digests.includes(ref.digest!) && !ref.registry && i.names.length === 0);
  }
  const tag = ref.tag ?? 'latest';
  const matches = state.images.filter((i) => i.names.some((n) => {
    const sn = splitName(n);
    return sn.tag === tag && repoMatches(sn.repo, repo, !!ref.registry);
  }));
  if (matches.length === 0) return undefined;
  // an exact full-name match wins; else the most recently pulled
  const full = `${repo}:${tag}`;
  return matches.find((i) => i.names.includes(full)) ?? matches.sort((a, b) => byteCompare(b.pulled, a.pulled))[0];
}

function repoMatches(stored: string, wanted: string, qualified: boolean): boolean {
  if (stored === wanted) return true;
  if (qualified) {
    // docker.io/busybox == docker.io/library/busybox
    return stored === wanted.replace(/^docker\.io\/([^/]+)$/, 'docker.io/library/$1');
  }
  if (registryOf(stored) === undefined) return stored === wanted;
  const path = stored.slice(registryOf(stored)!.length + 1);
  return path === wanted || path.endsWith(`/${wanted}`) || path === `library/${wanted}`;
}

export function mustFindImage(state: StoreState, input: string): ImageRecord {
  const img = findImage(state, input);
  if (!img) throw new TsmanError('ENOIMAGE', `${input}: image not known`);
  return img;
}
