// Template functions: Go's builtins (text/template/funcs.go) and podman's additions from
// containers/common pkg/report/template.go DefaultFuncs (join json lower pad split title truncate
// upper). Functions throw plain Errors; the executor wraps them as "error calling NAME: ...".

import { toGoJSON } from './json.js';
import { sprint, sprintf, sprintln } from './printf.js';
import { kindOf, mapEntries, truth, typeName } from './values.js';

/** Parameter types the executor checks arguments against, with Go's messages. */
export type ParamType = 'any' | 'string' | 'int' | 'strings';

export interface FuncDef {
  params: ParamType[];
  variadic?: ParamType;
  fn: (...args: unknown[]) => unknown;
}

const anyFn = (n: number, fn: (...a: unknown[]) => unknown, variadic = false): FuncDef =>
  ({ params: Array<ParamType>(n).fill('any'), variadic: variadic ? 'any' : undefined, fn });

export const FUNCS: Record<string, FuncDef> = {
  // and/or are evaluated lazily by the executor; these bodies only serve `call`-less arity checks
  and: anyFn(1, (...a) => a.find((x) => !truth(x)) ?? a[a.length - 1], true),
  or: anyFn(1, (...a) => a.find((x) => truth(x)) ?? a[a.length - 1], true),
  not: anyFn(1, (a) => !truth(a)),
  len: anyFn(1, length),
  index: anyFn(1, index, true),
  slice: anyFn(1, slice, true),
  print: anyFn(0, (...a) => sprint(a), true),
  println: anyFn(0, (...a) => sprintln(a), true),
  printf: { params: ['string'], variadic: 'any', fn: (f, ...a) => sprintf(f as string, a) },
  html: anyFn(0, (...a) => htmlEscape(evalArgs(a)), true),
  js: anyFn(0, (...a) => jsEscape(evalArgs(a)), true),
  urlquery: anyFn(0, (...a) => queryEscape(evalArgs(a)), true),
  call: anyFn(1, call, true),
  eq: anyFn(1, eq, true),
  ne: anyFn(2, (a, b) => !eq(a, b)),
  lt: anyFn(2, lt),
  le: anyFn(2, (a, b) => lt(a, b) || eq(a, b)),
  gt: anyFn(2, (a, b) => !(lt(a, b) || eq(a, b))),
  ge: anyFn(2, (a, b) => !lt(a, b)),
  // podman
  join: { params: ['strings', 'string'], fn: (a, sep) => (a as string[]).join(sep as string) },
  json: anyFn(1, (v) => toGoJSON(v, { escapeHTML: false }).trim()),
  lower: { params: ['string'], fn: (s) => (s as string).toLowerCase() },
  upper: { params: ['string'], fn: (s) => (s as string).toUpperCase() },
  title: { params: ['string'], fn: (s) => title(s as string) },
  split: { params: ['string', 'string'], fn: (s, sep) => split(s as string, sep as string) },
  pad: {
    params: ['string', 'int', 'int'],
    fn: (s, pre, post) => (s === '' ? s : ' '.repeat(Math.max(0, pre as number)) + (s as string) + ' '.repeat(Math.max(0, post as number))),
  },
  truncate: {
    params: ['string', 'int'],
    fn: (s, n) => {
      const b = Buffer.from(s as string, 'utf8');
      return b.length < (n as number) ? s : b.subarray(0, Math.max(0, n as number)).toString('utf8');
    },
  },
};

function length(v: unknown): number {
  switch (kindOf(v)) {
    case 'invalid': throw new Error('len of nil pointer');
    case 'string': return Buffer.byteLength(v as string, 'utf8');
    case 'slice': return (v as ArrayLike<unknown>).length;
    case 'map': case 'struct':
      if (v instanceof Map) return v.size;
      if (kindOf(v) === 'map') return mapEntries(v as object).length;
  }
  throw new Error(`len of type ${typeName(v)}`);
}

function intIndex(x: unknown, cap: number): number {
  if (x === undefined || x === null) throw new Error('cannot index slice/array with nil');
  if (typeof x === 'bigint') x = Number(x);
  if (typeof x !== 'number' || !Number.isInteger(x)) throw new Error(`cannot index slice/array with type ${typeName(x)}`);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  for (const ix of indexes) {
    if (item === undefined || item === null) throw new Error('index of nil pointer');
    if (typeof item === 'string') {
      const b = Buffer.from(item, 'utf8');
      const x = intIndex(ix, b.length);
      if (x >= b.length) throw new Error(`index out of range: ${x}`);
      item = b[x];
    } else if (Array.isArray(item) || ArrayBuffer.isView(item)) {
      const a = item as ArrayLike<unknown>;
      const x = intIndex(ix, a.length);
      if (x >= a.length) throw new Error(`index out of range: ${x}`);
      item = a[x];
    } else if (item instanceof Map) {
      item = item.has(ix) ? item.get(ix) : zeroElem([...item.values()]);
    } else if (typeof item === 'object' && !(item instanceof Date)) {
      if (typeof ix !== 'string' && typeof ix !== 'number') throw new Error(`value has type ${typeName(ix)}; should be string`);
      const o = item as Record<string, unknown>;
      item = Object.prototype.hasOwnProperty.call(o, ix) ? o[ix] : zeroElem(Object.values(o));
    } else {
      throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

/** A missing map key yields the element type's zero value: "" for string maps (labels), else nil. */
function zeroElem(values: unknown[]): unknown {
  return values.every((v) => typeof v === 'string') ? '' : undefined;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    len = Buffer.byteLength(item, 'utf8');
  } else if (Array.isArray(item) || ArrayBuffer.isView(item)) len = (item as ArrayLike<unknown>).length;
  else throw new Error(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len, len];
  indexes.forEach((ix, i) => { idx[i] = intIndex(ix, len); });
  if (idx[0]! > idx[1]!) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1]! > idx[2]!) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') return Buffer.from(item, 'utf8').subarray(idx[0], idx[1]).toString('utf8');
  return Array.prototype.slice.call(item, idx[0], idx[1]);
}

function call(fn: unknown, ...args: unknown[]): unknown {
  if (fn === undefined || fn === null) throw new Error('call of nil');
  if (typeof fn !== 'function') throw new Error(`non-function of type ${typeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...args);
}

type Basic = 'bool' | 'number' | 'string' | 'other' | 'invalid';
function basicKind(v: unknown): Basic {
  const k = kindOf(v);
  if (k === 'int' || k === 'float') return 'number';
  if (k === 'bool' || k === 'string' || k === 'invalid') return k;
  return 'other';
}

function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let t = false;
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new Error('incompatible types for comparison');
    } else if (k1 === 'other') {
      if (Array.isArray(a) || kindOf(a) === 'map') throw new Error(`non-comparable type ${sprint([a])}: ${typeName(a)}`);
      t = a === b;
    } else if (k1 === 'number') {
      t = Number(a) === Number(b);
    } else t = a === b || (k1 === 'invalid');
    if (t) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'other' || k1 === 'invalid' || k2 === 'other' || k2 === 'invalid') throw new Error('invalid type for comparison');
  if (k1 !== k2) throw new Error('incompatible types for comparison');
  if (k1 === 'bool') throw new Error('invalid type for comparison');
  if (k1 === 'number') return Number(a) < Number(b);
  return (a as string) < (b as string);
}

/** html, js and urlquery take one string, or Sprint of all their arguments. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

export function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '\'': '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const named: Record<string, string> = { '\\': '\\\\', '\'': '\\\'', '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D' };
    if (named[ch]) out += named[ch];
    else if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp >= 0x80 && !/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** url.QueryEscape */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** strings.Title: upper-case the first letter of every word. */
export function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const r of s) {
    out += isSeparator(prev) ? r.toUpperCase() : r;
    prev = r;
  }
  return out;
}

function isSeparator(r: string): boolean {
  if (r.codePointAt(0)! <= 0x7f) return !/[0-9a-zA-Z_]/.test(r);
  if (/[\p{L}\p{Nd}]/u.test(r)) return false;
  return /\s/u.test(r);
}

/** strings.Split: an empty separator splits into characters. */
export function split(s: string, sep: string): string[] {
  return sep === '' ? Array.from(s) : s.split(sep);
}
