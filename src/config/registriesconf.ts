// registries.conf(5) and registries.conf.d, read as containers/image's pkg/sysregistriesv2 reads them:
// the main file (v1 or v2 format), then drop-ins (v2 only) merged on top, then the machine-written
// short-name-aliases.conf whose aliases take precedence.

import * as path from 'node:path';
import { TsmanError } from '../errors.js';
import {
  checkValue, dropInFiles, fileExists, isTable, readTomlFile, tomlType,
  type Paths, type TomlTable,
} from './paths.js';

export type PullFromMirror = '' | 'all' | 'digest-only' | 'tag-only';
export type ShortNameMode = 'enforcing' | 'permissive' | 'disabled';

export interface RegistryMirror {
  location: string;
  insecure: boolean;
  pullFromMirror: PullFromMirror;
}

export interface RegistryEntry {
  /** what references are matched against; may be `*.example.com` */
  prefix: string;
  /** where matching references are pulled from; "" only for a wildcard prefix (no rewrite) */
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: RegistryMirror[];
}

export interface PullSource {
  /** the reference rewritten to the mirror or location */
  location: string;
  insecure: boolean;
  mirror: boolean;
}

export interface ShortNameResolution {
  candidates: string[];
  /** the fully qualified name the short name is aliased to, if any */
  alias?: string;
  /** the file the alias (or the search list) came from, for error messages */
  origin?: string;
}

export interface Alias {
  /** null: reset by a later file */
  value: string | null;
  origin: string;
}

interface Parsed {
  registries: RegistryEntry[];
  search?: string[];
  searchOrigin?: string;
  mode?: ShortNameMode;
  credentialHelpers?: string[];
  aliases: Map<string, Alias>;
}

// reference.DomainRegexp: dot-separated components (or a bracketed IPv6 address), optional port
const DOMAIN_RE = /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;

function fail(file: string, msg: string): never {
  throw new TsmanError('ECONFIG', `${file}: ${msg}`);
}

function parseLocation(file: string, input: string): string {
  const trimmed = input.replace(/\/+$/, '');
  if (/^https?:\/\//.test(trimmed)) fail(file, `invalid location '${input}': URI schemes are not supported`);
  return trimmed;
}

/** docker's splitDockerDomain: does the first path component name a registry? */
function splitDomain(name: string): { domain?: string; rest: string } {
  const i = name.indexOf('/');
  if (i === -1) return { rest: name };
  const first = name.slice(0, i);
  if (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first) return { rest: name };
  return { domain: first, rest: name.slice(i + 1) };
}

/** Split `repo[:tag][@digest]` into the repository and the suffix to re-append. */
function splitSuffix(ref: string): { repo: string; suffix: string } {
  let repo = ref;
  let suffix = '';
  const at = repo.indexOf('@');
  if (at !== -1) {
    suffix = repo.slice(at);
    repo = repo.slice(0, at);
  }
  const colon = repo.lastIndexOf(':');
  if (colon > repo.lastIndexOf('/')) {
    suffix = repo.slice(colon) + suffix;
    repo = repo.slice(0, colon);
  }
  return { repo, suffix };
}

/** docker.io/busybox -> docker.io/library/busybox; index.docker.io -> docker.io. */
function normalizeQualified(repo: string): string {
  const { domain, rest } = splitDomain(repo);
  if (domain === 'docker.io' || domain === 'index.docker.io') {
    return `docker.io/${rest.includes('/') ? rest : `library/${rest}`}`;
  }
  return repo;
}

function bool(file: string, where: string, v: unknown): boolean {
  return v === undefined ? false : (checkValue(`${file}: ${where}`, 'boolean', v) as boolean);
}

function str(file: string, where: string, v: unknown): string {
  return v === undefined ? '' : (checkValue(`${file}: ${where}`, 'string', v) as string);
}

function tables(file: string, where: string, v: unknown): TomlTable[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every(isTable)) fail(file, `${where}: expected array of tables, got ${tomlType(v)}`);
  return v as TomlTable[];
}

function parseAliases(file: string, v: unknown): Map<string, Alias> {
  const out = new Map<string, Alias>();
  if (v === undefined) return out;
  const raw = checkValue(`${file}: [aliases]`, 'map<string>', v) as Record<string, string>;
  for (const [name, value] of Object.entries(raw)) {
    if (splitSuffix(name).suffix || splitDomain(name).domain) {
      fail(file, `[aliases] invalid short name "${name}": must not contain registry, tag or digest`);
    }
    if (value === '') {
      out.set(name, { value: null, origin: file }); // an empty value resets an earlier alias
      continue;
    }
    if (splitSuffix(value).suffix || !splitDomain(value).domain) {
      fail(file, `[aliases] invalid alias "${value}" for "${name}": must contain registry and repository, and no tag or digest`);
    }
    out.set(name, { value: normalizeQualified(value), origin: file });
  }
  return out;
}

function convertV1(file: string, v1: TomlTable): Parsed {
  const list = (k: string): string[] | undefined => {
    const t = v1[k];
    if (t === undefined) return undefined;
    if (!isTable(t)) fail(file, `[registries.${k}]: expected table, got ${tomlType(t)}`);
    return t.registries === undefined ? undefined : (checkValue(`${file}: [registries.${k}] registries`, 'string[]', t.registries) as string[]);
  };
  const byLocation = new Map<string, RegistryEntry>();
  const get = (loc: string): RegistryEntry => {
    const location = parseLocation(file, loc);
    let reg = byLocation.get(location);
    if (!reg) {
      reg = { prefix: location, location, insecure: false, blocked: false, mirrorByDigestOnly: false, mirrors: [] };
      byLocation.set(location, reg);
    }
    return reg;
  };
  for (const b of list('block') ?? []) get(b).blocked = true;
  for (const i of list('insecure') ?? []) get(i).insecure = true;
  return { registries: [...byLocation.values()], search: list('search'), aliases: new Map() };
}

const V2_KEYS = ['registry', 'unqualified-search-registries', 'credential-helpers', 'short-name-mode', 'aliases', 'additional-layer-store-auth-helper'];

/** One file: parse, convert v1, validate and normalize (containers/image's loadConfigFile). */
export function parseRegistriesDoc(file: string, doc: TomlTable, forceV2: boolean): Parsed {
  const v1 = doc.registries;
  const hasV1 = isTable(v1) && ['search', 'insecure', 'block'].some((k) => isTable(v1[k]) && v1[k].registries !== undefined);
  let parsed: Parsed;
  if (hasV1) {
    if (forceV2) fail(file, 'registry must be in v2 format but is in v1');
    if (V2_KEYS.some((k) => doc[k] !== undefined)) fail(file, 'mixing sysregistry v1/v2 is not supported');
    parsed = convertV1(file, v1);
  } else {
    parsed = {
      registries: tables(file, '[[registry]]', doc.registry).map((r) => {
        const pfm = r['pull-from-mirror'];
        if (pfm !== undefined && pfm !== '') fail(file, `pull-from-mirror must not be set for a non-mirror registry "${String(r.prefix ?? r.location)}"`);
        return {
          prefix: str(file, '[[registry]] prefix', r.prefix),
          location: str(file, '[[registry]] location', r.location),
          insecure: bool(file, '[[registry]] insecure', r.insecure),
          blocked: bool(file, '[[registry]] blocked', r.blocked),
          mirrorByDigestOnly: bool(file, '[[registry]] mirror-by-digest-only', r['mirror-by-digest-only']),
          mirrors: tables(file, '[[registry.mirror]]', r.mirror).map((m) => ({
            location: str(file, '[[registry.mirror]] location', m.location),
            insecure: bool(file, '[[registry.mirror]] insecure', m.insecure),
            pullFromMirror: str(file, '[[registry.mirror]] pull-from-mirror', m['pull-from-mirror']) as PullFromMirror,
          })),
        };
      }),
      aliases: parseAliases(file, doc.aliases),
    };
    const search = doc['unqualified-search-registries'];
    if (search !== undefined) parsed.search = checkValue(`${file}: unqualified-search-registries`, 'string[]', search) as string[];
    const helpers = doc['credential-helpers'];
    if (helpers !== undefined) parsed.credentialHelpers = checkValue(`${file}: credential-helpers`, 'string[]', helpers) as string[];
    const mode = doc['short-name-mode'];
    if (mode !== undefined && mode !== '') {
      const m = checkValue(`${file}: short-name-mode`, 'string', mode) as string;
      if (!['enforcing', 'permissive', 'disabled'].includes(m)) fail(file, `invalid short-name mode: "${m}"`);
      parsed.mode = m as ShortNameMode;
    }
  }
  if (parsed.search) parsed.searchOrigin = file;
  postProcess(file, parsed);
  return parsed;
}

function postProcess(file: string, parsed: Parsed): void {
  const byKey = new Map<string, RegistryEntry[]>();
  for (const reg of parsed.registries) {
    reg.location = parseLocation(file, reg.location);
    if (reg.prefix === '') {
      if (reg.location === '') fail(file, 'invalid condition: both location and prefix are unset');
      reg.prefix = reg.location;
    } else {
      reg.prefix = parseLocation(file, reg.prefix);
      if (!reg.prefix.startsWith('*.') && reg.location === '') {
        fail(file, 'invalid condition: location is unset and prefix is not in the format: *.example.com');
      }
    }
    if (reg.prefix.startsWith('*.') && /[/@:]/.test(reg.prefix)) {
      fail(file, `wildcarded prefix should be in the format: *.example.com. Current prefix "${reg.prefix}" is incorrectly formatted`);
    }
    for (const mir of reg.mirrors) {
      mir.location = parseLocation(file, mir.location);
      if (mir.location === '') fail(file, 'invalid condition: mirror location is unset');
      if (reg.mirrorByDigestOnly && mir.pullFromMirror !== '') {
        fail(file, `cannot set mirror usage mirror-by-digest-only for the registry ("${reg.prefix}") and pull-from-mirror for per-mirror ("${mir.location}") at the same time`);
      }
      if (!['', 'all', 'digest-only', 'tag-only'].includes(mir.pullFromMirror)) {
        fail(file, `unsupported pull-from-mirror value "${mir.pullFromMirror}" for mirror "${mir.location}"`);
      }
    }
    const key = reg.location || reg.prefix;
    byKey.set(key, [...(byKey.get(key) ?? []), reg]);
  }
  for (const reg of parsed.registries) {
    for (const other of byKey.get(reg.location || reg.prefix)!) {
      if (reg.insecure !== other.insecure) fail(file, `registry '${reg.location}' is defined multiple times with conflicting 'insecure' setting`);
      if (reg.blocked !== other.blocked) fail(file, `registry '${reg.location}' is defined multiple times with conflicting 'blocked' setting`);
    }
  }
  if (parsed.search) {
    parsed.search = parsed.search.map((r) => {
      const loc = parseLocation(file, r);
      if (!DOMAIN_RE.test(loc)) fail(file, `invalid unqualified-search-registries entry "${loc}"`);
      return loc;
    });
  }
  // the first of several entries with one prefix wins; keep the list sorted as containers/image does
  const unique = new Map<string, RegistryEntry>();
  for (const reg of parsed.registries) if (!unique.has(reg.prefix)) unique.set(reg.prefix, reg);
  parsed.registries = [...unique.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

/** A drop-in on top: registries by prefix, aliases by name; other keys replace when present. */
function mergeParsed(base: Parsed, upd: Parsed): void {
  const byPrefix = new Map(base.registries.map((r) => [r.prefix, r]));
  for (const r of upd.registries) byPrefix.set(r.prefix, r);
  base.registries = [...byPrefix.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
  if (upd.search) {
    base.search = upd.search;
    base.searchOrigin = upd.searchOrigin;
  }
  if (upd.credentialHelpers) base.credentialHelpers = upd.credentialHelpers;
  if (upd.mode) base.mode = upd.mode;
  for (const [k, v] of upd.aliases) base.aliases.set(k, v);
}

/** containers/image's refMatchingPrefix: the length of the matched prefix, or -1. */
export function refMatchingPrefix(ref: string, prefix: string): number {
  if (prefix.startsWith('*.')) {
    const suffix = prefix.slice(1);
    let index = ref.indexOf(suffix);
    if (index === -1 || ref.slice(0, index).includes('/')) return -1;
    index += suffix.length;
    return index === ref.length || ':/@'.includes(ref[index]!) ? index : -1;
  }
  if (ref.length < prefix.length || !ref.startsWith(prefix)) return -1;
  if (ref.length === prefix.length) return prefix.length;
  return ':/@'.includes(ref[prefix.length]!) ? prefix.length : -1;
}

export class Registries {
  constructor(
    readonly registries: RegistryEntry[],
    readonly unqualifiedSearchRegistries: string[],
    readonly searchRegistriesOrigin: string,
    readonly shortNameMode: ShortNameMode,
    readonly credentialHelpers: string[],
    private readonly aliases: Map<string, Alias>,
  ) {}

  /** The entry with the longest matching prefix for a fully qualified reference (or host). */
  findRegistry(ref: string): RegistryEntry | undefined {
    let best: RegistryEntry | undefined;
    for (const r of this.registries) {
      if (refMatchingPrefix(ref, r.prefix) !== -1 && r.prefix.length > (best?.prefix.length ?? 0)) best = r;
    }
    return best;
  }

  isInsecure(hostOrRef: string): boolean {
    return this.findRegistry(hostOrRef)?.insecure ?? false;
  }

  isBlocked(hostOrRef: string): boolean {
    return this.findRegistry(hostOrRef)?.blocked ?? false;
  }

  /**
   * Where to pull a fully qualified reference from: its mirrors (subject to mirror-by-digest-only
   * and pull-from-mirror), then the primary location. Throws EREGISTRY for a blocked registry.
   */
  pullSources(ref: string): PullSource[] {
    const reg = this.findRegistry(ref);
    if (!reg) return [{ location: ref, insecure: false, mirror: false }];
    if (reg.blocked) {
      throw new TsmanError('EREGISTRY', `registry ${reg.prefix} is blocked in registries.conf`, { hint: `pulling ${ref}` });
    }
    const digested = ref.includes('@');
    const mirrors = reg.mirrors.filter((m) => {
      if (reg.mirrorByDigestOnly) return digested;
      if (m.pullFromMirror === 'digest-only') return digested;
      if (m.pullFromMirror === 'tag-only') return !digested;
      return true;
    });
    const len = refMatchingPrefix(ref, reg.prefix);
    const rewrite = (location: string): string => (location === '' ? ref : location + ref.slice(len));
    return [
      ...mirrors.map((m) => ({ location: rewrite(m.location), insecure: m.insecure, mirror: true })),
      { location: rewrite(reg.location), insecure: reg.insecure, mirror: false },
    ];
  }

  /** The alias for a short name (repository only), if one is set and not reset. */
  alias(name: string): Alias | undefined {
    const a = this.aliases.get(name);
    return a?.value ? a : undefined;
  }

  /**
   * Candidates for a possibly short name, in order: the name itself when it is qualified, else the
   * alias when one exists, else each unqualified-search registry (docker.io gains `library/`).
   * What to do with several (prompt, try in order, refuse) is src/image/shortnames.ts's.
   */
  resolveShortName(name: string): ShortNameResolution {
    const { repo, suffix } = splitSuffix(name);
    if (splitDomain(repo).domain) return { candidates: [normalizeQualified(repo) + suffix] };
    const a = this.alias(repo);
    if (a) return { candidates: [a.value + suffix], alias: a.value!, origin: a.origin };
    return {
      candidates: this.unqualifiedSearchRegistries.map((r) => normalizeQualified(`${r}/${repo}`) + suffix),
      origin: this.searchRegistriesOrigin,
    };
  }
}

export interface LoadedRegistries {
  registries: Registries;
  files: string[];
}

/**
 * CONTAINERS_REGISTRIES_CONF, else ~/.config/containers/registries.conf when it exists (then only the
 * user's drop-in dir is read), else /etc/containers/registries.conf; drop-ins from
 * /etc/containers/registries.conf.d and ~/.config/containers/registries.conf.d.
 */
export function loadRegistriesConf(paths: Paths, env: NodeJS.ProcessEnv): LoadedRegistries {
  // containers/image locates the user's files under $HOME/.config, not $XDG_CONFIG_HOME
  const userFile = path.join(paths.home, '.config/containers/registries.conf');
  const userDir = userFile + '.d';
  const systemFile = path.join(paths.systemConfigDir, 'registries.conf');
  const systemDir = systemFile + '.d';
  const explicit = env.CONTAINERS_REGISTRIES_CONF;
  let main: string;
  let dirs: string[];
  if (explicit) {
    main = explicit;
    dirs = [systemDir, userDir];
  } else if (fileExists(userFile)) {
    main = userFile;
    dirs = [userDir];
  } else {
    main = systemFile;
    dirs = [systemDir, userDir];
  }
  const files: string[] = [];
  const doc = readTomlFile(main);
  if (doc === undefined && explicit) {
    throw new TsmanError('ECONFIG', `loading registries configuration \`${main}\`: ENOENT`);
  }
  const conf: Parsed = doc ? parseRegistriesDoc(main, doc, false) : { registries: [], aliases: new Map() };
  if (doc) files.push(main);
  for (const file of dirs.flatMap(dropInFiles)) {
    const d = readTomlFile(file);
    if (d === undefined) continue;
    mergeParsed(conf, parseRegistriesDoc(file, d, true));
    files.push(file);
  }
  // aliases chosen at a prompt (podman writes this file) win over registries.conf
  const cache = readTomlFile(paths.shortNameAliasesFile);
  if (cache) {
    for (const [k, v] of parseAliases(paths.shortNameAliasesFile, cache.aliases)) conf.aliases.set(k, v);
    files.push(paths.shortNameAliasesFile);
  }
  // No search list means no search: a short name without an alias is an error naming the file
  // that could have set one (the main file, else the drop-in that did), as containers/image has it;
  // "" when no file was read at all. Trying docker.io anyway would send private names to a public
  // registry. The default mode is containers/image's (permissive).
  const search = conf.search ?? [];
  const origin = conf.searchOrigin ?? (doc ? main : '');
  const registries = new Registries(
    conf.registries, search, origin, conf.mode ?? 'permissive',
    conf.credentialHelpers?.length ? conf.credentialHelpers : ['containers-auth.json'], conf.aliases,
  );
  return { registries, files };
}
