// Option helpers shared by every command. podman (pflag) accepts `--flag=false` for booleans,
// clipanion does not: every boolean declared through Bool() is recorded so main.ts can rewrite
// `--flag=true|false` into clipanion's `--flag` / `--no-flag` before parsing.
import { Option } from 'clipanion';
import { TsmanError } from '../errors.js';
// the engine's type (it is what an engine is opened with); re-exported for the commands
import type { GlobalOptions } from '../engine/api/options.js';
export type { GlobalOptions };

export const booleanFlags = new Set<string>();

export function Bool(names: string, initial: boolean, opts: { description?: string; hidden?: boolean } = {}): boolean {
  for (const n of names.split(',')) booleanFlags.add(n.trim());
  return Option.Boolean(names, initial, opts);
}

/** A boolean whose absence matters (undefined = not given, e.g. --tls-verify defers to config). */
export function TriBool(names: string, opts: { description?: string; hidden?: boolean } = {}): boolean | undefined {
  for (const n of names.split(',')) booleanFlags.add(n.trim());
  return Option.Boolean(names, opts);
}

/** Rewrite `--x=true` → `--x`, `--x=false` → `--no-x` for declared booleans; stops at `--`. */
export function normalizeBooleanFlags(argv: string[]): string[] {
  const out: string[] = [];
  let done = false;
  for (const a of argv) {
    if (done) { out.push(a); continue; }
    if (a === '--') { done = true; out.push(a); continue; }
    const m = /^(--[A-Za-z0-9][A-Za-z0-9-]*)=(true|false)$/i.exec(a);
    if (m && booleanFlags.has(m[1]!)) {
      const name = m[1]!;
      out.push(m[2]!.toLowerCase() === 'true' ? name : `--no-${name.slice(2)}`);
      continue;
    }
    out.push(a);
  }
  return out;
}

/**
 * pflag reads `-t0` as `-t 0` (a short flag with its value attached); clipanion does not. Split
 * `-X<digits>` for tokens before the first positional argument (a container's own arguments,
 * which come after the image, are never touched).
 */
export function splitShortValues(argv: string[], commandWords: Set<string>): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < argv.length && commandWords.has(argv[i]!)) out.push(argv[i++]!);
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--' || !a.startsWith('-')) { out.push(...argv.slice(i)); break; }
    const m = /^-([a-zA-Z])(\d+)$/.exec(a);
    if (m) out.push(`-${m[1]}`, m[2]!);
    else out.push(a);
  }
  return out;
}

const GLOBAL_VALUE_FLAGS: Record<string, keyof GlobalOptions> = {
  '--root': 'root',
  '--runroot': 'runroot',
  '--storage-driver': 'storageDriver',
  '--storage-opt': 'storageOpts',
  '--log-level': 'logLevel',
  '--cgroup-manager': 'cgroupManager',
  '--runtime': 'runtime',
  '--registries-conf': 'registriesConf',
};

/**
 * Pull the global flags out of argv. They are taken from anywhere before the first positional
 * token that is not a command word (so `tsman run IMG cmd --root x` passes `--root x` to the
 * container), which is where pflag's persistent flags can stand too.
 */
export function extractGlobals(argv: string[], commandWords: Set<string>): { globals: GlobalOptions; rest: string[] } {
  const globals: GlobalOptions = { storageOpts: [] };
  const rest: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const key = GLOBAL_VALUE_FLAGS[name];
    if (key) {
      let value: string | undefined;
      if (eq > 0 && a.startsWith('--')) value = a.slice(eq + 1);
      else value = argv[++i];
      if (value === undefined) { rest.push(a); continue; }
      if (key === 'storageOpts') globals.storageOpts.push(value);
      else (globals as unknown as Record<string, string>)[key] = value;
      continue;
    }
    if (!a.startsWith('-') && !commandWords.has(a)) break;
    rest.push(a);
  }
  for (; i < argv.length; i++) rest.push(argv[i]!);
  return { globals, rest };
}

/** logrus's levels, the ones podman's --log-level accepts (in any case) */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic'];

/**
 * The global flags' values, checked before any command runs: an unknown --log-level with
 * podman's message, and an empty --root/--runroot (which would otherwise quietly fall back to the
 * configured store) in pflag's words for a bad flag value.
 */
export function checkGlobals(g: GlobalOptions): void {
  if (g.logLevel !== undefined && !LOG_LEVELS.includes(g.logLevel.toLowerCase())) {
    throw new TsmanError('EUSAGE', `Log Level ${JSON.stringify(g.logLevel)} is not supported, choose from: ${LOG_LEVELS.join(', ')}`);
  }
  for (const [flag, v] of [['--root', g.root], ['--runroot', g.runroot]] as const) {
    if (v === '') throw new TsmanError('EUSAGE', `invalid argument "" for "${flag}" flag: the path must not be empty`);
  }
}

