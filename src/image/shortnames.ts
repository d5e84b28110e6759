// Short-name resolution for pulls, as containers/image's pkg/shortnames does it for podman: a
// name without a registry goes through its alias (registries.conf [aliases], drop-ins, the alias
// cache), else the unqualified-search registries; several of those are tried in order
// (permissive), offered at a prompt when stdin and stdout are terminals (enforcing, permissive),
// or refused without one (enforcing). A choice made at the prompt is recorded in the alias cache
// once its pull succeeds, so the next pull of that name asks nothing. Same messages as podman.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { TsmanError } from '../errors.js';
import { builtin } from '../util/builtin.js';
import type { Registries } from '../config/registriesconf.js';
import { isShortName, parseReference, refName } from './reference.js';

export interface PullCandidate {
  /** fully qualified, with the tag or digest asked for */
  name: string;
  /** chosen at the prompt: record `repo` → this name in the alias cache after a successful pull */
  record: boolean;
}

export interface ResolvedName {
  candidates: PullCandidate[];
  /** podman's line before the first "Trying to pull" (alias or search list and its file) */
  description?: string;
  /** the short name's repository, as aliases are keyed */
  shortRepo?: string;
}

/** Lets tests and callers replace the terminal: pick one of the candidates. */
export type Chooser = (label: string, items: string[]) => Promise<string>;

export interface ResolveOptions {
  /** whether both stdin and stdout are terminals (podman's condition for prompting) */
  tty: boolean;
  choose?: Chooser;
}

/** `repo[:tag][@digest]` → its repository part and the suffix to put back. */
function splitShort(name: string): { repo: string; suffix: string } {
  const ref = parseReference(name);
  let suffix = '';
  if (ref.tag !== undefined) suffix += `:${ref.tag}`;
  if (ref.digest !== undefined) suffix += `@${ref.digest}`;
  return { repo: refName(ref), suffix };
}

/** `:latest` on a name with neither tag nor digest (reference.TagNameOnly: the prompt shows it). */
function tagged(name: string): string {
  const ref = parseReference(name);
  return ref.tag === undefined && ref.digest === undefined ? `${name}:latest` : name;
}

export async function resolvePullName(reg: Registries, name: string, opts: ResolveOptions): Promise<ResolvedName> {
  parseReference(name); // podman's reference errors before anything else
  const found = reg.resolveShortName(name);
  const res = { ...found, candidates: found.candidates.map(tagged) };
  if (!isShortName(name)) return { candidates: res.candidates.map((c) => ({ name: c, record: false })) };
  const { repo } = splitShort(name);
  if (res.alias) {
    return { candidates: [{ name: res.candidates[0]!, record: false }], description: `Resolved "${repo}" as an alias (${res.origin})`, shortRepo: repo };
  }
  if (res.candidates.length === 0) {
    throw new TsmanError('ENOIMAGE', res.origin
      ? `short-name "${name}" did not resolve to an alias and no unqualified-search registries are defined in "${res.origin}"`
      : `short-name "${name}" did not resolve to an alias and no containers-registries.conf(5) was found`);
  }
  const description = `Resolving "${repo}" using unqualified-search registries (${res.origin})`;
  const all = res.candidates.map((c) => ({ name: c, record: false }));
  const mode = reg.shortNameMode;
  if (mode === 'disabled' || all.length === 1) return { candidates: all, description, shortRepo: repo };
  if (!opts.tty) {
    if (mode === 'enforcing') throw new TsmanError('EUSAGE', 'short-name resolution enforced but cannot prompt without a TTY');
    return { candidates: all, description, shortRepo: repo };
  }
  const choose = opts.choose ?? selectOnTerminal;
  const picked = await choose('Please select an image', res.candidates);
  // the user's choice, not a search: no "Resolving ..." line (podman prints none either)
  return { candidates: [{ name: picked, record: true }], shortRepo: repo };
}

/** Whether podman would prompt here: stdin and stdout both terminals. */
export function canPrompt(): boolean {
  const tty = builtin<typeof import('node:tty')>('node:tty');
  return tty.isatty(0) && tty.isatty(1);
}

/**
 * The alias cache (podman's short-name-aliases.conf): `repo` → `value` (no tag or digest) added
 * to what the file holds, written whole by rename under the file's lock, as containers/image does.
 */
export async function recordAlias(file: string, repo: string, value: string): Promise<void> {
  const { FileLock } = await import('../util/lock.js');
  const { atomicWriteFile } = await import('../util/fsutil.js');
  const { parseTomlFile } = await import('../config/paths.js');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  await new FileLock(`${file}.lock`).with(async () => {
    let aliases: Record<string, string> = {};
    try {
      const doc = parseTomlFile(file, fs.readFileSync(file, 'utf8'));
      if (doc.aliases && typeof doc.aliases === 'object') aliases = { ...(doc.aliases as Record<string, string>) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    aliases[repo] = value;
    const lines = Object.keys(aliases).sort().map((k) => `  ${JSON.stringify(k)} = ${JSON.stringify(aliases[k])}`);
    await atomicWriteFile(file, `[aliases]\n${lines.join('\n')}\n`, 0o644);
  });
}

/** The repository of a fully qualified candidate, as the alias cache stores it. */
export function aliasValue(candidate: string): string {
  return splitShort(candidate).repo;
}

/**
 * A selection prompt on the terminal, promptui's keys: arrows or j/k move, Enter picks, Ctrl-C
 * aborts (podman's "^C" error). Drawn on stdout, as podman draws it.
 */
export async function selectOnTerminal(label: string, items: string[]): Promise<string> {
  const stdin = process.stdin;
  const out = process.stdout;
  let cur = 0;
  let drawn = 0;
  const draw = (): void => {
    let s = drawn ? `\x1b[${drawn}A\r` : '';
    s += `\x1b[2K? ${label}: \n`;
    for (let i = 0; i < items.length; i++) s += `\x1b[2K  ${i === cur ? '▸' : ' '} ${items[i]}\n`;
    out.write(s);
    drawn = items.length + 1;
  };
  const wasRaw = stdin.isRaw;
  stdin.setRawMode?.(true);
  draw();
  try {
    return await new Promise<string>((resolve, reject) => {
      let pending = '';
      const onData = (d: Buffer): void => {
        pending += d.toString('latin1');
        while (pending.length) {
          let key = pending[0]!;
          if (key === '\x1b') {
            if (pending.length < 3) return; // the rest of the sequence is on its way
            key = pending.slice(0, 3);
          }
          pending = pending.slice(key.length);
          if (key === '\x1b[A' || key === 'k') cur = (cur + items.length - 1) % items.length;
          else if (key === '\x1b[B' || key === 'j') cur = (cur + 1) % items.length;
          else if (key === '\r' || key === '\n') {
            done();
            out.write(`\x1b[${drawn}A\r\x1b[J✔ ${items[cur]}\n`);
            resolve(items[cur]!);
            return;
          } else if (key === '\x03' || key === '\x04') {
            done();
            out.write('\n');
            reject(new TsmanError('EUSAGE', '^C'));
            return;
          } else continue;
          draw();
        }
      };
      const onEnd = (): void => { done(); reject(new TsmanError('EUSAGE', '^D')); };
      const done = (): void => { stdin.off('data', onData); stdin.off('end', onEnd); stdin.pause(); };
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.resume();
    });
  } finally {
    stdin.setRawMode?.(wasRaw);
  }
}
