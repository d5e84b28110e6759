// encoding/json's output for JS values: objects keep their key order, Maps and goMap() objects
// get Go's sorted keys, strings are escaped as Go escapes them (optionally HTML-safe, which
// json.Marshal is and podman's {{json}} function is not).

import { TsmanError } from '../errors.js';
import { GO_KIND, mapEntries } from './values.js';

export interface JSONOptions {
  /** Indent per level (MarshalIndent / Encoder.SetIndent); compact when empty. */
  indent?: string;
  /** Escape < > & as \u003c \u003e \u0026 (json.Marshal does, podman's json template function does not). */
  escapeHTML?: boolean;
}

export function toGoJSON(value: unknown, opts: JSONOptions = {}): string {
  const indent = opts.indent ?? '';
  const html = opts.escapeHTML ?? true;
  const seen = new Set<object>();

  const enc = (v: unknown, depth: number): string | undefined => {
    if (v === null) return 'null';
    if (v && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function' && !(v instanceof Date)) {
      v = (v as { toJSON: () => unknown }).toJSON();
    }
    switch (typeof v) {
      case 'undefined': case 'function': case 'symbol': return undefined;
      case 'string': return quoteJSON(v, html);
      case 'boolean': return String(v);
      case 'bigint': return v.toString();
      case 'number':
        if (!Number.isFinite(v)) throw new TsmanError('EFORMAT', `json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`);
        return Object.is(v, -0) ? '-0' : String(v);
    }
    if (v instanceof Date) return quoteJSON(rfc3339Nano(v), html);
    const o = v as object;
    if (seen.has(o)) throw new TsmanError('EFORMAT', 'json: unsupported value: encountered a cycle');
    seen.add(o);
    const nl = indent ? `\n${indent.repeat(depth + 1)}` : '';
    const close = indent ? `\n${indent.repeat(depth)}` : '';
    let out: string;
    if (Array.isArray(o) || ArrayBuffer.isView(o)) {
      const items = Array.from(o as ArrayLike<unknown>).map((e) => enc(e, depth + 1) ?? 'null');
      out = items.length ? `[${nl}${items.join(`,${nl}`)}${close}]` : '[]';
    } else {
      // Only declared maps get Go's sorted keys: a plain object with lower-case keys is as likely
      // a struct with json tags (history, OCI config), whose order must stay as written.
      const declaredMap = o instanceof Map || (o as Record<symbol, unknown>)[GO_KIND] === 'map';
      const entries = declaredMap ? mapEntries(o) : Object.entries(o);
      const parts: string[] = [];
      for (const [k, x] of entries) {
        const e = enc(x, depth + 1);
        if (e !== undefined) parts.push(`${quoteJSON(String(k), html)}:${indent ? ' ' : ''}${e}`);
      }
      out = parts.length ? `{${nl}${parts.join(`,${nl}`)}${close}}` : '{}';
    }
    seen.delete(o);
    return out;
  };
  return enc(value, 0) ?? 'null';
}

export function quoteJSON(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || (escapeHTML && (ch === '<' || ch === '>' || ch === '&')) || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) < 0xe000) {
      out += ch + s[++i]!;
    } else if (c >= 0xd800 && c < 0xe000) {
      out += '\\ufffd';
    } else out += ch;
  }
  return `${out}"`;
}

/** time.RFC3339Nano, as time.Time marshals: fraction without trailing zeros. */
function rfc3339Nano(d: Date): string {
  if (Number.isNaN(d.getTime())) return '0001-01-01T00:00:00Z';
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_m, f: string) => (f ? `.${f}Z` : 'Z'));
}
