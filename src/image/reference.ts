// Image references in the docker grammar (github.com/distribution/reference), with the
// docker.io normalization rules and podman's error wording.

import { TsmanError } from '../errors.js';
import { digestProblem } from './validate.js';

export interface ImageRef {
  /** host[:port] when the reference names one (see isShortName); never defaulted by parsing */
  registry?: string;
  /** path inside the registry, e.g. `library/busybox` */
  repository: string;
  tag?: string;
  /** `algorithm:hex` */
  digest?: string;
}

export const DEFAULT_TAG = 'latest';
export const DOCKER_IO = 'docker.io';
const LEGACY_DOCKER_IO = 'index.docker.io';
/** The host serving docker.io's API. */
export const DOCKER_IO_API_HOST = 'registry-1.docker.io';
const NAME_TOTAL_LENGTH_MAX = 255;

const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainAndPort = `(?:${domainComponent}(?:\\.${domainComponent})*|${ipv6})(?::[0-9]+)?`;
const namePattern = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const referenceRe = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const identifierRe = /^[a-f0-9]{64}$/;
const shortIdRe = /^[a-f0-9]{3,64}$/;

function usage(message: string): TsmanError {
  return new TsmanError('EUSAGE', message);
}

/** Validate `algorithm:hex` the way go-digest's Parse does, with its messages. */
export function validateDigest(digest: string): void {
  const problem = digestProblem(digest);
  if (problem !== undefined) throw usage(problem);
}

/** Split `name` into domain and path with docker's rule (SplitDockerDomain, without defaults). */
function splitDomain(name: string): { domain?: string; path: string } {
  const i = name.indexOf('/');
  if (i === -1) return { path: name };
  const first = name.slice(0, i);
  if (!/[.:]/.test(first) && first !== 'localhost') return { path: name };
  return { domain: first, path: name.slice(i + 1) };
}

/**
 * Parse a reference: `[host[:port]/]path[:tag][@digest]`. No registry, tag or library/ prefix is
 * added; see normalize().
 */
export function parseReference(s: string): ImageRef {
  if (identifierRe.test(s)) {
    throw usage(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const m = referenceRe.exec(s);
  if (!m) {
    if (s === '') throw usage('repository name must have at least one component');
    if (referenceRe.test(s.toLowerCase())) throw usage('repository name must be lowercase');
    throw usage('invalid reference format');
  }
  const [, name, tag, digest] = m as unknown as [string, string, string | undefined, string | undefined];
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw usage(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const { domain, path } = splitDomain(name);
  // The grammar lets an upper-case first component through as a "domain"; docker rejects it
  // when the split says it is a path component (ParseNormalizedNamed).
  if (path.toLowerCase() !== path) throw usage('invalid reference format: repository name must be lowercase');
  if (digest !== undefined) validateDigest(digest);
  const ref: ImageRef = { repository: path };
  if (domain !== undefined) ref.registry = domain;
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** True when the reference names no registry, so it must be resolved with the search list. */
export function isShortName(s: string): boolean {
  const name = s.split('@')[0];
  const i = name.indexOf('/');
  if (i === -1) return true;
  const first = name.slice(0, i);
  return !/[.:]/.test(first) && first !== 'localhost';
}

/** `index.docker.io` is an old spelling of `docker.io`. */
export function normalizeRegistry(registry: string): string {
  return registry === LEGACY_DOCKER_IO ? DOCKER_IO : registry;
}

/**
 * A fully qualified copy of ref: `registry` fills in a missing registry component (for a short
 * name, the registry chosen from the search list), and docker.io's single-component
 * repositories get their `library/` prefix. The tag is left alone (see withDefaultTag).
 */
export function normalize(ref: ImageRef, registry: string = DOCKER_IO): ImageRef {
  const reg = normalizeRegistry(ref.registry ?? registry);
  let repository = ref.repository;
  if (reg === DOCKER_IO && !repository.includes('/')) repository = `library/${repository}`;
  const out: ImageRef = { registry: reg, repository };
  if (ref.tag !== undefined) out.tag = ref.tag;
  if (ref.digest !== undefined) out.digest = ref.digest;
  return out;
}

/** ref with tag `latest` when it has neither tag nor digest. */
export function withDefaultTag(ref: ImageRef): ImageRef {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** The host to talk to for a registry named in a reference. */
export function registryHost(registry: string): string {
  const reg = normalizeRegistry(registry);
  return reg === DOCKER_IO ? DOCKER_IO_API_HOST : reg;
}

/** `registry/repository` (or just the repository when there is no registry). */
export function refName(ref: ImageRef): string {
  return ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
}

/**
 * Podman's display form: `registry/repo:tag`, `registry/repo@digest` or `registry/repo:tag@digest`,
 * with tag `latest` when there is neither.
 */
export function refString(ref: ImageRef): string {
  let s = refName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  if (ref.tag === undefined && ref.digest === undefined) s += `:${DEFAULT_TAG}`;
  return s;
}

/**
 * The familiar (docker UI) form: docker.io and library/ dropped, e.g. `busybox:latest`. Used
 * where podman accepts a short name matching a stored image.
 */
export function familiarString(ref: ImageRef): string {
  let repo = ref.repository;
  let reg = ref.registry === undefined ? undefined : normalizeRegistry(ref.registry);
  if (reg === DOCKER_IO) {
    reg = undefined;
    const parts = repo.split('/');
    if (parts.length === 2 && parts[0] === 'library') repo = parts[1];
  }
  return refString({ ...ref, registry: reg, repository: repo });
}

/** A full image ID or an unambiguous-looking prefix of one: 3 to 64 lower-case hex digits. */
export function isImageId(s: string): boolean {
  return shortIdRe.test(s);
}
