// How JavaScript values stand in for Go values in templates. Go distinguishes structs (missing
// field: error) from maps (missing key: "<no value>"); JS objects do not, so: a Map, or an object
// tagged with goMap(), is a map; a class instance or an object tagged with goStruct() is a struct;
// a plain object is a struct when every key looks like an exported Go field name (upper case
// first letter), otherwise a map (label sets, annotations, OCI JSON with lower-case keys).

export const GO_KIND = Symbol.for('tsman.format.goKind');
export const GO_TYPE = Symbol.for('tsman.format.goType');

/** Mark an object as a Go map: missing keys render as "<no value>", printing is map[k:v]. */
export function goMap<T extends object>(o: T): T {
  Object.defineProperty(o, GO_KIND, { value: 'map', enumerable: false, configurable: true });
  return o;
}

/** Mark an object as a Go struct, optionally with the Go type name used in error messages. */
export function goStruct<T extends object>(o: T, typeName?: string): T {
  Object.defineProperty(o, GO_KIND, { value: 'struct', enumerable: false, configurable: true });
  if (typeName) Object.defineProperty(o, GO_TYPE, { value: typeName, enumerable: false, configurable: true });
  return o;
}

/** The data a table's header line is rendered with: every field resolves to its column title. */
export class HeaderRow {
  constructor(private readonly overrides: Record<string, string> = {}) {}
  header(field: string): string {
    const o = this.overrides[field];
    return o !== undefined ? o.toUpperCase() : defaultHeader(field);
  }
}

/** podman's report.Headers: the Go field name split at camel-case boundaries, upper-cased. */
export function defaultHeader(field: string): string {
  return camelSplit(field).join(' ').toUpperCase();
}

/** containers/common pkg/report/camelcase.Split */
export function camelSplit(src: string): string[] {
  const runs: string[][] = [];
  let last = 0;
  for (const r of src) {
    const cls = /\p{Ll}/u.test(r) ? 1 : /\p{Lu}/u.test(r) ? 2 : /\p{Nd}/u.test(r) ? 3 : 4;
    if (cls === last && runs.length) runs[runs.length - 1]!.push(r);
    else runs.push([r]);
    last = cls;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const a = runs[i]!;
    const b = runs[i + 1]!;
    if (/\p{Lu}/u.test(a[0]!) && /\p{Ll}/u.test(b[0]!)) b.unshift(a.pop()!);
  }
  return runs.filter((r) => r.length > 0).map((r) => r.join(''));
}

export type Kind = 'invalid' | 'string' | 'int' | 'float' | 'bool' | 'slice' | 'map' | 'struct' | 'func' | 'time';

export function kindOf(v: unknown): Kind {
  if (v === undefined || v === null) return 'invalid';
  switch (typeof v) {
    case 'string': return 'string';
    // integers beyond int64's range can only have been floats in Go
    case 'number': return Number.isInteger(v) && Math.abs(v) < 1e19 ? 'int' : 'float';
    case 'bigint': return 'int';
    case 'boolean': return 'bool';
    case 'function': return 'func';
    case 'object':
      if (Array.isArray(v) || ArrayBuffer.isView(v)) return 'slice';
      if (v instanceof Date) return 'time';
      return isMapLike(v) ? 'map' : 'struct';
    default: return 'struct';
  }
}

export function isMapLike(o: object): boolean {
  if (o instanceof Map) return true;
  const tag = (o as Record<symbol, unknown>)[GO_KIND];
  if (tag) return tag === 'map';
  if (o instanceof HeaderRow) return false;
  const proto: unknown = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(o);
  return keys.length === 0 || !keys.every((k) => /^\p{Lu}/u.test(k));
}

/** The Go type name shown in error messages and by %T. */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid': return '<nil>';
    case 'string': return 'string';
    case 'int': return typeof v === 'bigint' ? 'int64' : 'int';
    case 'float': return 'float64';
    case 'bool': return 'bool';
    case 'func': return 'func()';
    case 'time': return 'time.Time';
    case 'slice': {
      if (v instanceof Uint8Array) return '[]uint8';
      const a = v as unknown[];
      if (a.length && a.every((e) => typeof e === 'string')) return '[]string';
      return '[]interface {}';
    }
    case 'map': {
      const vals = mapEntries(v as object).map(([, x]) => x);
      return vals.length && vals.every((e) => typeof e === 'string') ? 'map[string]string' : 'map[string]interface {}';
    }
    case 'struct': {
      const o = v as Record<symbol, unknown>;
      if (typeof o[GO_TYPE] === 'string') return o[GO_TYPE] as string;
      const ctor = (v as object).constructor;
      return ctor && ctor !== Object && ctor.name ? ctor.name : 'struct';
    }
  }
}

/** text/template's isTrue: the zero value of any type, and empty containers, are false. */
export function truth(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid': return false;
    case 'string': return (v as string).length > 0;
    case 'int': case 'float': return typeof v === 'bigint' ? v !== 0n : v !== 0;
    case 'bool': return v as boolean;
    case 'slice': return (v as ArrayLike<unknown>).length > 0;
    case 'map': return mapEntries(v as object).length > 0;
    default: return true;
  }
}

/** A map's entries in Go's printing and range order: sorted keys. */
export function mapEntries(o: object): [unknown, unknown][] {
  const entries: [unknown, unknown][] = o instanceof Map ? [...o.entries()] : Object.keys(o).map((k) => [k, (o as Record<string, unknown>)[k]]);
  return entries.sort(([a], [b]) => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const sa = String(a);
    const sb = String(b);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
}

/** A struct's fields in declaration (insertion) order. */
export function structEntries(o: object): [string, unknown][] {
  return Object.keys(o).map((k) => [k, (o as Record<string, unknown>)[k]]);
}

export interface Lookup { found: boolean; value?: unknown }

/**
 * A field or method of an object: the exact name first (own or inherited, but nothing from
 * Object.prototype), then for structs a case-insensitive match, since podman users write `.Id`.
 */
export function lookupField(o: object, name: string): Lookup {
  if (o instanceof Map) return o.has(name) ? { found: true, value: o.get(name) } : { found: false };
  const map = isMapLike(o);
  if (hasProp(o, name, !map)) return { found: true, value: (o as Record<string, unknown>)[name] };
  if (map) return { found: false };
  const lower = name.toLowerCase();
  for (const k of allNames(o)) {
    if (k.toLowerCase() === lower) return { found: true, value: (o as Record<string, unknown>)[k] };
  }
  return { found: false };
}

function hasProp(o: object, name: string, inherited: boolean): boolean {
  if (name === 'constructor' || name === '__proto__') return false;
  for (let p: object | null = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    if (Object.prototype.hasOwnProperty.call(p, name)) return true;
    if (!inherited) break;
  }
  return false;
}

function allNames(o: object): string[] {
  const names = new Set<string>(Object.keys(o));
  for (let p = Object.getPrototypeOf(o) as object | null; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor') names.add(k);
  }
  return [...names];
}

/** How Go's fmt prints a number with %v: integers plainly, floats in strconv's shortest 'g' form. */
export function formatNumber(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e19) return Object.is(n, -0) ? '0' : n.toFixed(0);
  return formatG(n, -1);
}

function digitsOf(v: number, sig: number): { digits: string; exp: number } {
  const s = sig < 0 ? Math.abs(v).toExponential() : Math.abs(v).toExponential(Math.max(sig, 1) - 1);
  const [mant, e] = s.split('e') as [string, string];
  const digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  return { digits, exp: Number(e) };
}

function fmtE(neg: boolean, digits: string, exp: number, prec: number, e = 'e'): string {
  let s = digits[0]!;
  if (prec > 0) s += `.${digits.slice(1, prec + 1).padEnd(prec, '0')}`;
  const ae = Math.abs(exp);
  return `${neg ? '-' : ''}${s}${e}${exp < 0 ? '-' : '+'}${ae < 10 ? `0${ae}` : ae}`;
}

function fmtF(neg: boolean, digits: string, dp: number, prec: number): string {
  let s = dp > 0 ? digits.slice(0, dp).padEnd(dp, '0') : '0';
  if (prec > 0) {
    let frac = '';
    for (let i = 0; i < prec; i++) {
      const j = dp + i;
      frac += j >= 0 && j < digits.length ? digits[j] : '0';
    }
    s += `.${frac}`;
  }
  return (neg ? '-' : '') + s;
}

/** strconv.FormatFloat(v, 'g', prec, 64); prec < 0 means the shortest representation. */
export function formatG(v: number, prec: number, upper = false): string {
  const neg = v < 0 || Object.is(v, -0);
  if (v === 0) return neg ? '-0' : '0';
  const shortest = prec < 0;
  if (prec === 0) prec = 1;
  const { digits, exp } = digitsOf(v, prec);
  const nd = digits.length;
  const dp = exp + 1;
  if (shortest) prec = nd;
  let eprec = prec;
  if (eprec > nd && nd >= dp) eprec = nd;
  if (shortest) eprec = 6;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd;
    return fmtE(neg, digits, exp, prec - 1, upper ? 'E' : 'e');
  }
  if (prec > dp) prec = nd;
  return fmtF(neg, digits, dp, Math.max(prec - dp, 0));
}

/** strconv.FormatFloat(v, 'e', prec, 64) */
export function formatE(v: number, prec: number, upper = false): string {
  const s = v.toExponential(prec);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s)!;
  return `${m[1]}${upper ? 'E' : 'e'}${m[2]}${m[3]!.padStart(2, '0')}`;
}

/** time.Time.String(): 2006-01-02 15:04:05.999999999 -0700 MST */
export function goTimeString(d: Date): string {
  if (Number.isNaN(d.getTime())) return '0001-01-01 00:00:00 +0000 UTC';
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  const offStr = `${off < 0 ? '-' : '+'}${p(Math.floor(a / 60))}${p(a % 60)}`;
  const ms = d.getMilliseconds();
  const frac = ms ? `.${p(ms, 3).replace(/0+$/, '')}` : '';
  let zone = '';
  try {
    zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName')?.value ?? '';
  } catch { /* no Intl data */ }
  if (!/^[A-Z]{3,5}$/.test(zone)) zone = off === 0 ? 'UTC' : `${off < 0 ? '-' : '+'}${p(Math.floor(a / 60))}${a % 60 ? p(a % 60) : ''}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${frac} ${offStr} ${zone}`;
}

/** Objects that define their own toString() print through it, like Go's fmt.Stringer. */
export function stringer(v: object): string | undefined {
  if (Array.isArray(v) || v instanceof Map || v instanceof Date || v instanceof HeaderRow) return undefined;
  const ts = (v as { toString?: unknown }).toString;
  if (typeof ts === 'function' && ts !== Object.prototype.toString) return String(ts.call(v));
  return undefined;
}
