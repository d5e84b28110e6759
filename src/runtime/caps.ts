// Linux capabilities the way podman 4.3 (containers/common pkg/capabilities) handles them: names are
// normalised to "CAP_X", validated against the capabilities the running kernel knows, and merged
// from containers.conf's default_capabilities plus --cap-add minus --cap-drop (with "ALL").

import { readFileSync } from 'node:fs';
import { TsmanError } from '../errors.js';

/** Index = capability number (linux/capability.h). */
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** containers.conf's shipped default_capabilities (podman 4.3). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
];

let lastCapCache: number | undefined;

/** The highest capability number the running kernel knows (/proc/sys/kernel/cap_last_cap). */
export function lastCap(): number {
  if (lastCapCache === undefined) {
    try {
      lastCapCache = Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim(), 10);
    } catch {
      lastCapCache = NaN;
    }
    if (!Number.isInteger(lastCapCache)) lastCapCache = CAPABILITY_NAMES.length - 1;
    // A kernel newer than this table knows caps without a name here: they cannot be asked for by name.
    lastCapCache = Math.min(lastCapCache, CAPABILITY_NAMES.length - 1);
  }
  return lastCapCache;
}

/** Every capability the running kernel knows, sorted by name (podman sorts its lists). */
export function allCapabilities(): string[] {
  return CAPABILITY_NAMES.slice(0, lastCap() + 1).sort();
}

/** Capability names set in a /proc/<pid>/status hex mask ("CapBnd:\t000001ffffffffff"). */
export function capsFromMask(hex: string): string[] {
  const mask = BigInt('0x' + hex.trim());
  const out: string[] = [];
  for (let i = 0; i <= lastCap(); i++) {
    if ((mask >> BigInt(i)) & 1n) out.push(CAPABILITY_NAMES[i]!);
  }
  return out.sort();
}

/** The hex mask /proc/<pid>/status would show for these capabilities (16 digits). */
export function capsToMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) {
    const i = CAPABILITY_NAMES.indexOf(normalizeCapability(c));
    mask |= 1n << BigInt(i);
  }
  return mask.toString(16).padStart(16, '0');
}

/**
 * The bounding set of this process: what a container started by it can be given at most. podman
 * intersects every capability list with it (a root caller without CAP_SYS_RESOURCE, as on these
 * hosts, gets --privileged containers without CAP_SYS_RESOURCE too).
 */
export function processBoundingSet(statusText?: string): string[] {
  let text = statusText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return allCapabilities();
    }
  }
  const m = /^CapBnd:\s*([0-9a-fA-F]+)$/m.exec(text);
  return m ? capsFromMask(m[1]!) : allCapabilities();
}

/** "net_admin", "NET_ADMIN", "cap_net_admin" -> "CAP_NET_ADMIN"; "all" -> "ALL". */
export function normalizeCapability(name: string): string {
  let c = name.trim().toUpperCase();
  if (c === 'ALL') return c;
  if (!c.startsWith('CAP_')) c = 'CAP_' + c;
  const i = CAPABILITY_NAMES.indexOf(c);
  if (i < 0 || i > lastCap()) {
    throw new TsmanError('EUSAGE', `"${c}": unknown capability`);
  }
  return c;
}

/** Normalised and sorted, like containers/common's NormalizeCapabilities. */
export function normalizeCapabilities(names: readonly string[]): string[] {
  return names.map(normalizeCapability).sort();
}

/**
 * base + adds - drops, as containers/common MergeCapabilities: "ALL" in drops returns just the adds,
 * "ALL" in adds starts from `all` (the bounding set); a capability both added and dropped is an error.
 */
export function mergeCapabilities(
  base: readonly string[],
  adds: readonly string[],
  drops: readonly string[],
  all: readonly string[] = processBoundingSet(),
): string[] {
  let b = normalizeCapabilities(base);
  if (adds.length === 0 && drops.length === 0) return [...new Set(b)].sort();
  const capDrop = normalizeCapabilities(drops);
  let capAdd = normalizeCapabilities(adds);
  if (capDrop.includes('ALL')) {
    if (capAdd.includes('ALL')) {
      throw new TsmanError('EUSAGE', 'adding all caps and removing all caps not allowed');
    }
    return [...new Set(capAdd)].sort();
  }
  if (capAdd.includes('ALL')) {
    b = [...all];
    capAdd = [];
  }
  for (const c of capAdd) {
    if (capDrop.includes(c)) throw new TsmanError('EUSAGE', `capability "${c}" cannot be dropped and added`);
  }
  const out = b.filter((c) => !capDrop.includes(c));
  for (const c of capAdd) if (!b.includes(c)) out.push(c);
  return [...new Set(out)].sort();
}

export interface ProcessCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

/**
 * The process.capabilities podman 4.3 writes. Root (uid 0): bounding = effective = permitted = the
 * merged list, inheritable and ambient empty. Any other uid: bounding = the merged list, and only
 * what --cap-add named explicitly lands in effective/permitted/inheritable/ambient (so the process
 * keeps it across the uid change). Empty sets are left out, as Go's omitempty does.
 */
export function containerCapabilities(o: {
  uid: number;
  privileged: boolean;
  defaultCapabilities: readonly string[];
  capAdd: readonly string[];
  capDrop: readonly string[];
  /** what this process can hand out (default: its bounding set) */
  hostCapabilities?: readonly string[];
}): ProcessCapabilities {
  const host = o.hostCapabilities ? normalizeCapabilities(o.hostCapabilities) : processBoundingSet();
  let caplist: string[];
  if (o.privileged) {
    caplist = [...host];
  } else {
    caplist = mergeCapabilities(o.defaultCapabilities, o.capAdd, o.capDrop, host).filter((c) => host.includes(c));
  }
  caplist.sort();
  const out: ProcessCapabilities = {};
  if (caplist.length > 0) out.bounding = caplist;
  if (o.uid === 0) {
    if (caplist.length > 0) {
      out.effective = [...caplist];
      out.permitted = [...caplist];
    }
    return out;
  }
  const userCaps = mergeCapabilities([], o.capAdd, [], host).filter((c) => host.includes(c));
  if (userCaps.length > 0) {
    out.effective = [...userCaps];
    out.inheritable = [...userCaps];
    out.permitted = [...userCaps];
    out.ambient = [...userCaps];
  }
  return out;
}
