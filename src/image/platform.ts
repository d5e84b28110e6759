// Choosing one image from a manifest list / OCI index, as containers/image does
// (internal/pkg/platform WantedPlatforms + MatchesPlatform, manifest ChooseInstance).

import { readFileSync } from 'node:fs';
import { TsmanError } from '../errors.js';
import { MediaType } from './mediatypes.js';
import type { Descriptor, Index } from './mediatypes.js';

export interface WantedPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Variants from most capable to most compatible; architectures without variants are absent. */
const COMPATIBILITY: Record<string, string[]> = {
  arm: ['v7', 'v6', 'v5'],
  arm64: ['v8'],
};

/** A variant every machine of that architecture supports. */
const BASE_VARIANT: Record<string, string> = { arm64: 'v8' };

const NODE_TO_GOARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  i386: '386',
  i686: '386',
};

/** The ARM variant of this machine from /proc/cpuinfo's "CPU architecture" (empty if unknown). */
function cpuArmVariant(): string {
  let text: string;
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
  const line = text.split('\n').find((l) => /^cpu architecture\s*:/i.test(l));
  if (!line) return '';
  const v = line.slice(line.indexOf(':') + 1).trim().toLowerCase();
  if (v === '8' || v === 'aarch64') return 'v8';
  if (['7', '7m', '?(12)', '?(13)', '?(14)', '?(15)', '?(16)', '?(17)'].includes(v)) return 'v7';
  if (v === '6' || v === '6tej') return 'v6';
  if (['5', '5t', '5te', '5tej'].includes(v)) return 'v5';
  return '';
}

/** This machine as GOOS/GOARCH/variant, the names registries use. */
export function hostPlatform(): WantedPlatform {
  const architecture = NODE_TO_GOARCH[process.arch] ?? process.arch;
  const p: WantedPlatform = { os: process.platform === 'win32' ? 'windows' : process.platform, architecture };
  if (architecture === 'arm' || architecture === 'arm64') {
    const v = cpuArmVariant();
    if (v) p.variant = v;
    else if (architecture === 'arm' && process.config.variables && 'arm_version' in process.config.variables) {
      const armv = String((process.config.variables as Record<string, unknown>).arm_version);
      if (/^\d+$/.test(armv)) p.variant = `v${armv}`;
    }
  }
  return p;
}

/**
 * Parse `os/arch[/variant]` (podman's --platform) or just `arch`; architecture aliases such as
 * x86_64 and aarch64 are accepted.
 */
export function parsePlatform(s: string): WantedPlatform {
  const parts = s.split('/');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    throw new TsmanError('EUSAGE', `invalid platform syntax for --platform=${JSON.stringify(s)}: use os/arch[/variant]`);
  }
  if (parts.length === 1) return { os: 'linux', architecture: normalizeArch(parts[0]) };
  const p: WantedPlatform = { os: parts[0].toLowerCase(), architecture: normalizeArch(parts[1]) };
  if (parts.length === 3) p.variant = parts[2];
  if (parts[1].toLowerCase() === 'aarch64' && p.variant === '8') p.variant = 'v8';
  return p;
}

function normalizeArch(a: string): string {
  const l = a.toLowerCase();
  return ARCH_ALIASES[l] ?? l;
}

/** `os/arch[/variant]` */
export function platformString(p: WantedPlatform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/**
 * The platforms acceptable for `want`, most preferred first (c/image's WantedPlatforms):
 * an asked-for variant, then its compatible lesser variants, then "no variant"; without a
 * variant, "no variant" first and then the architecture's base variant (arm64 -> v8).
 */
export function wantedPlatforms(want: WantedPlatform): WantedPlatform[] {
  let variants: string[];
  // 32-bit arm without a variant means v7, as containerd's platforms.Normalize has it.
  const variant = want.variant || (want.architecture === 'arm' ? 'v7' : '');
  if (variant) {
    const order = COMPATIBILITY[want.architecture];
    const i = order ? order.indexOf(variant) : -1;
    variants = i >= 0 ? order.slice(i) : [variant];
    variants.push('');
  } else {
    variants = [''];
    const base = BASE_VARIANT[want.architecture];
    if (base) variants.push(base);
    // Variants of amd64 and friends (v2, v3...) are optimisation levels: when none was asked
    // for, any will do, after an entry that names none.
    else if (!COMPATIBILITY[want.architecture]) variants.push(ANY_VARIANT);
  }
  return variants.map((v) => ({ os: want.os, architecture: want.architecture, variant: v }));
}

const ANY_VARIANT = '*';

function platformMatches(p: { os: string; architecture: string; variant?: string }, w: WantedPlatform): boolean {
  return p.os === w.os && p.architecture === w.architecture && (w.variant === ANY_VARIANT || (p.variant ?? '') === w.variant);
}

function isZstdInstance(d: Descriptor): boolean {
  return d.annotations?.['io.github.containers.compression.zstd'] === 'true';
}

export interface SelectOptions {
  /** name of the list for the error message, e.g. `docker://host/repo:tag` */
  ref?: string;
  /** prefer zstd instances of an index that carries both (default: prefer gzip) */
  preferZstd?: boolean;
}

/**
 * The descriptor in `index` for `want`. Among matches: the better platform rank wins, then the
 * preferred compression, then list order. In an OCI index an entry without a platform matches,
 * but after every entry that has one.
 */
export function selectManifest(index: Index, want: WantedPlatform, opts: SelectOptions = {}): Descriptor {
  const wanted = wantedPlatforms(want);
  const isOCI = index.mediaType !== MediaType.DockerManifestList;
  let best: { rank: number; zstd: boolean; pos: number; d: Descriptor } | undefined;
  (index.manifests ?? []).forEach((d, pos) => {
    let rank = Number.MAX_SAFE_INTEGER;
    if (d.platform) {
      const p = d.platform;
      rank = wanted.findIndex((w) => platformMatches(p, w));
      if (rank === -1) return;
    } else if (!isOCI) {
      return;
    }
    const cand = { rank, zstd: isZstdInstance(d), pos, d };
    if (!best || better(cand, best, opts.preferZstd ?? false)) best = cand;
  });
  if (best) return best.d;
  const w = wanted[0];
  const kind = isOCI ? 'image index' : 'manifest list';
  throw new TsmanError(
    'ENOMANIFEST',
    `choosing an image from manifest list ${opts.ref ?? ''}: no image found in ${kind} for architecture ${w.architecture}, variant ${JSON.stringify(w.variant ?? '')}, OS ${w.os}`,
  );
}

function better(
  a: { rank: number; zstd: boolean; pos: number },
  b: { rank: number; zstd: boolean; pos: number },
  preferZstd: boolean,
): boolean {
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (a.zstd !== b.zstd) return preferZstd ? a.zstd : !a.zstd;
  return a.pos < b.pos;
}
