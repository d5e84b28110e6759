// Go's fmt verbs for JS values: Sprint, Sprintln and Sprintf with flags, width and precision,
// composite values printed element by element ([a b], map[k:v], {x y}), and Go's inline error
// forms (%!d(string=x), %!s(MISSING), %!(EXTRA ...)).

import {
  formatE, formatG, formatNumber, goTimeString, kindOf, mapEntries, stringer, structEntries, typeName,
} from './values.js';

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV?: boolean;
  sharpV?: boolean;
  width?: number;
  prec?: number;
}

const noFlags = (): Flags => ({ plus: false, minus: false, sharp: false, space: false, zero: false });

/** fmt.Sprint of one value (%v). */
export function sprintValue(v: unknown): string {
  return fmtArg(v, 'v', noFlags());
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += sprintValue(a);
  });
  return out;
}

/** fmt.Sprintln: always spaces, then a newline. */
export function sprintln(args: unknown[]): string {
  return `${args.map(sprintValue).join(' ')}\n`;
}

export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let i = 0;
  const n = format.length;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) { out += format.slice(i); break; }
    out += format.slice(i, pct);
    i = pct + 1;
    const f = noFlags();
    for (; i < n; i++) {
      const c = format[i];
      if (c === '+') f.plus = true;
      else if (c === '-') { f.minus = true; f.zero = false; }
      else if (c === '#') f.sharp = true;
      else if (c === ' ') f.space = true;
      else if (c === '0') f.zero = !f.minus;
      else break;
    }
    const argIndex = (): void => {
      const m = /^\[(\d+)\]/.exec(format.slice(i));
      if (m) { argNum = Number(m[1]) - 1; i += m[0].length; reordered = true; }
    };
    const num = (): number | undefined => {
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return Number(m[0]);
    };
    argIndex();
    if (format[i] === '*') {
      i++;
      const w = args[argNum++];
      if (typeof w === 'number' && Number.isInteger(w)) {
        f.width = Math.abs(w);
        if (w < 0) { f.minus = true; f.zero = false; }
      } else out += '%!(BADWIDTH)';
    } else f.width = num();
    if (format[i] === '.') {
      i++;
      argIndex();
      if (format[i] === '*') {
        i++;
        const p = args[argNum++];
        if (typeof p === 'number' && Number.isInteger(p) && p >= 0) f.prec = p;
        else out += '%!(BADPREC)';
      } else f.prec = num() ?? 0;
    }
    argIndex();
    if (i >= n) { out += '%!(NOVERB)'; break; }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') { out += '%'; continue; }
    // %+v and %#v are modes of v (field names, Go syntax), not sign or prefix flags
    if (verb === 'v' && f.plus) { f.plus = false; f.plusV = true; }
    if (verb === 'v' && f.sharp) { f.sharp = false; f.sharpV = true; }
    if (argNum >= args.length) { out += `%!${verb}(MISSING)`; continue; }
    out += fmtArg(args[argNum++], verb, f);
  }
  if (!reordered && argNum < args.length) {
    out += `%!(EXTRA ${args.slice(argNum).map((a) => (a === undefined || a === null ? '<nil>' : `${typeName(a)}=${sprintValue(a)}`)).join(', ')})`;
  }
  return out;
}

function pad(s: string, f: Flags, zeroOK = false): string {
  const w = f.width ?? 0;
  const len = [...s].length;
  if (len >= w) return s;
  const fill = w - len;
  if (f.minus) return s + ' '.repeat(fill);
  if (f.zero && zeroOK) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : '';
    return sign + '0'.repeat(fill) + s.slice(sign.length);
  }
  return ' '.repeat(fill) + s;
}

function badVerb(v: unknown, verb: string, f: Flags): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${fmtArg(v, 'v', f)})`;
}

function fmtArg(v: unknown, verb: string, f: Flags): string {
  if (verb === 'T') return pad(typeName(v), f);
  const kind = kindOf(v);
  if (kind === 'invalid') return verb === 'v' ? pad('<nil>', f) : badVerb(v, verb, f);
  if (verb === 'p') return badVerb(v, verb, f);
  switch (kind) {
    case 'bool':
      return verb === 'v' || verb === 't' ? pad(String(v), f) : badVerb(v, verb, f);
    case 'int': case 'float':
      return fmtNumber(v as number | bigint, verb, f);
    case 'string':
      return fmtString(v as string, verb, f);
    case 'time':
      return 'vsqxX'.includes(verb) ? fmtString(goTimeString(v as Date), verb, f) : badVerb(v, verb, f);
    case 'func':
      return verb === 'v' ? pad('0xc000010000', f) : badVerb(v, verb, f);
    case 'slice': {
      if (v instanceof Uint8Array && 'sxXq'.includes(verb)) return fmtString(Buffer.from(v).toString('latin1'), verb, f);
      const items = Array.from(v as ArrayLike<unknown>);
      if (f.sharpV) return `${typeName(v)}{${items.map((e) => fmtArg(e, 'v', f)).join(', ')}}`;
      return `[${items.map((e) => fmtArg(e, verb, f)).join(' ')}]`;
    }
    case 'map': {
      const entries = mapEntries(v as object);
      if (f.sharpV) return `${typeName(v)}{${entries.map(([k, x]) => `${fmtArg(k, 'v', f)}:${fmtArg(x, 'v', f)}`).join(', ')}}`;
      return `map[${entries.map(([k, x]) => `${fmtArg(k, verb, f)}:${fmtArg(x, verb, f)}`).join(' ')}]`;
    }
    case 'struct': {
      const s = stringer(v as object);
      if (s !== undefined && 'vsqxX'.includes(verb)) return fmtString(s, verb, f);
      const entries = structEntries(v as object);
      if (f.sharpV) return `${typeName(v)}{${entries.map(([k, x]) => `${k}:${fmtArg(x, 'v', f)}`).join(', ')}}`;
      return `{${entries.map(([k, x]) => (f.plusV ? `${k}:` : '') + fmtArg(x, verb, f)).join(' ')}}`;
    }
  }
}

function fmtString(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case 'v': case 's':
      if (f.sharpV) return pad(goQuote(s), f);
      return pad(f.prec !== undefined ? [...s].slice(0, f.prec).join('') : s, f);
    case 'q': {
      const t = f.prec !== undefined ? [...s].slice(0, f.prec).join('') : s;
      if (f.sharp && !/[`\x00-\x08\x0a-\x1f\x7f\ufeff]/.test(t)) return pad(`\`${t}\``, f);
      return pad(goQuote(t, f.plus), f);
    }
    case 'x': case 'X': {
      let bytes = Buffer.from(s, 'utf8');
      if (f.prec !== undefined) bytes = bytes.subarray(0, f.prec);
      let hex = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
      if (f.sharp) hex = f.space ? hex.map((h) => `0x${h}`) : hex.length ? [`0x${hex[0]}`, ...hex.slice(1)] : hex;
      let out = hex.join(f.space ? ' ' : '');
      if (verb === 'X') out = out.toUpperCase();
      return pad(out, f);
    }
  }
  return badVerb(s, verb, f);
}

function fmtNumber(v: number | bigint, verb: string, f: Flags): string {
  const isInt = typeof v === 'bigint' || kindOf(v) === 'int';
  const sign = (neg: boolean): string => (neg ? '-' : f.plus ? '+' : f.space ? ' ' : '');
  if (typeof v === 'number' && !Number.isFinite(v) && 'vbeEfFgGxX'.includes(verb)) {
    const s = Number.isNaN(v) ? (f.plus ? '+NaN' : f.space ? ' NaN' : 'NaN') : v > 0 ? (f.space && !f.plus ? ' Inf' : '+Inf') : '-Inf';
    return pad(s, { ...f, zero: false });
  }
  if ('eEfFgG'.includes(verb) || (verb === 'v' && !isInt)) {
    const n = Number(v);
    const neg = n < 0 || Object.is(n, -0);
    let body: string;
    if (verb === 'v') body = formatNumber(Math.abs(n));
    else if (verb === 'e' || verb === 'E') body = formatE(Math.abs(n), f.prec ?? 6, verb === 'E');
    else if (verb === 'f' || verb === 'F') body = Math.abs(n).toFixed(f.prec ?? 6);
    else body = formatG(Math.abs(n), f.prec ?? -1, verb === 'G');
    if (f.sharp && !body.includes('.') && verb !== 'v') body = body.replace(/^(\d+)/, '$1.');
    return pad(sign(neg) + body, f, true);
  }
  if (!isInt) return badVerb(v, verb, f);
  const big = BigInt(v);
  const neg = big < 0n;
  const abs = neg ? -big : big;
  switch (verb) {
    case 'c': return pad(String.fromCodePoint(Number(abs)), f);
    case 'q': return pad(`'${goQuote(String.fromCodePoint(Number(abs)), f.plus).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`, f);
    case 'U': {
      let s = `U+${abs.toString(16).toUpperCase().padStart(4, '0')}`;
      if (f.sharp) s += ` '${String.fromCodePoint(Number(abs))}'`;
      return pad(s, f);
    }
  }
  const bases: Record<string, [number, string]> = { d: [10, ''], v: [10, ''], b: [2, '0b'], o: [8, '0'], O: [8, '0o'], x: [16, '0x'], X: [16, '0X'] };
  const b = bases[verb];
  if (!b) return badVerb(v, verb, f);
  let digits = abs.toString(b[0]);
  if (verb === 'X') digits = digits.toUpperCase();
  if (f.prec !== undefined) digits = f.prec === 0 && abs === 0n ? '' : digits.padStart(f.prec, '0');
  else if (f.zero && !f.minus && f.width !== undefined) {
    const prefixLen = (f.sharp || verb === 'O' ? b[1].length : 0) + sign(neg).length;
    digits = digits.padStart(f.width - prefixLen, '0');
  }
  let prefix = '';
  if (verb === 'O' || (f.sharp && verb !== 'd' && verb !== 'v')) prefix = b[1];
  if (verb === 'o' && f.sharp && digits.startsWith('0')) prefix = '';
  return pad(sign(neg) + prefix + digits, { ...f, zero: false });
}

/** strconv.Quote (or QuoteToASCII when ascii is set). */
export function goQuote(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp >= 0xd800 && cp < 0xe000) { out += '\\ufffd'; continue; }
    if (cp < 0x80 ? cp >= 0x20 && cp < 0x7f : !ascii && /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) { out += ch; continue; }
    if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
