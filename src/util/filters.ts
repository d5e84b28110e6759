// `--filter key=value` lists as podman reads them: grouped by key, in order.
import { TsmanError } from '../errors.js';

/** `--filter` values grouped by key, in order; "filter=value" is required. */
export function groupFilters(list: string[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const f of list) {
    const i = f.indexOf('=');
    if (i < 0) throw new TsmanError('EUSAGE', `filter input must be in the form of filter=value: ${f} is invalid`);
    const key = f.slice(0, i);
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key)!.push(f.slice(i + 1));
  }
  return byKey;
}

// ---- until: a time or a duration back from now (every noun's `until` filter) ----------------

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds; undefined when s is not a duration. */
export function parseGoDuration(s: string): number | undefined {
  const m = /^([+-]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+|0)$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g)) total += Number(part[1]) * DURATION_UNITS[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

/** containers/common filters.ComputeUntilTimestamp (timetype.GetTimestamp): a duration back from now, a date/time, or unix seconds. */
export function parseUntil(value: string, now = Date.now()): number {
  const d = parseGoDuration(value);
  if (d !== undefined) return now - d;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)) {
    const t = Date.parse(value.replace(' ', 'T'));
    if (!Number.isNaN(t)) return t;
  }
  throw new TsmanError('EUSAGE', `failed to parse value as time or duration: "${value}"`);
}

// ---- labels: one matcher for every noun's label filter ----------------------------------------

/** Go's filepath.Match without escapes: `*` and `?` stop at `/`, `[...]` classes. */
export function pathMatch(pattern: string, s: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  try { return new RegExp(`${re}$`).test(s); } catch { return false; }
}

/**
 * containers/common filters.matchPattern: a pattern with a `*` matches anywhere in the value (it
 * is wrapped in `*...*`) and `/` is an ordinary character; without a `*` nothing matches (keys
 * are compared exactly by the caller).
 */
export function matchPattern(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return false;
  return pathMatch(`*${pattern}*`.replaceAll('/', '|'), value.replaceAll('/', '|'));
}

/**
 * containers/common filters.MatchLabelFilters, behind every `--filter label=` (containers, images,
 * volumes, networks): each value, `key` or `key=value`, must match some label whose key is the
 * key or matches it as a pattern, and whose value is the value (any value when none is given).
 */
export function matchLabels(values: string[], labels: Record<string, string> = {}): boolean {
  return values.every((f) => {
    const i = f.indexOf('=');
    const key = i < 0 ? f : f.slice(0, i);
    const val = i < 0 ? '' : f.slice(i + 1);
    return Object.entries(labels).some(([k, v]) => (val === '' || v === val) && (k === key || matchPattern(key, k)));
  });
}
