// Go text/template for --format, with podman's report conventions on top (containers/common
// pkg/report): `table` formats get a header line and tabwriter alignment, user formats are wrapped
// in {{range .}}...{{end -}} with a newline appended, `\t` and `\n` typed on the command line
// become real tabs and newlines, and `json` prints the data itself as JSON.

import { TsmanError } from '../errors.js';
import { execute } from './exec.js';
import { FUNCS } from './funcs.js';
import { toGoJSON } from './json.js';
import { parseTemplate } from './parser.js';
import type { ListNode } from './parser.js';
import { tabwrite } from './tabwriter.js';
import { HeaderRow } from './values.js';

export { toGoJSON } from './json.js';
export type { JSONOptions } from './json.js';
export { defaultHeader, goMap, goStruct, HeaderRow } from './values.js';
export { tabwrite } from './tabwriter.js';

export interface Template {
  readonly name: string;
  execute(data: unknown): string;
  /** Render with a HeaderRow-style header data object (table header line). */
  executeHeader(data: unknown): string;
}

/** Parse a Go template; parse errors are TsmanError('EFORMAT', 'template: NAME:LINE: ...'). */
export function compileTemplate(src: string, name = ''): Template {
  const { root, defs } = parseTemplate(name, src, (f) => Object.prototype.hasOwnProperty.call(FUNCS, f));
  return new CompiledTemplate(name, src, root, defs);
}

class CompiledTemplate implements Template {
  constructor(readonly name: string, private text: string, private root: ListNode, private defs: Map<string, ListNode>) {}
  execute(data: unknown): string {
    return execute({ name: this.name, text: this.text, root: this.root, defs: this.defs }, data);
  }
  executeHeader(data: unknown): string {
    return execute({ name: this.name, text: this.text, root: this.root, defs: this.defs, header: true }, data);
  }
}

/** report.IsJSON: `json`, `{{json}}`, `{{ json . }}`. */
export function isJSONFormat(format: string): boolean {
  return /^\s*(json|\{\{\s*json *\.?\s*\}\})\s*$/.test(format);
}

/** report.HasTable */
export function hasTable(format: string): boolean {
  return format.startsWith('table ');
}

/** strings.NewReplacer semantics: leftmost match, earlier pairs win at the same position. */
function replaceAll(s: string, pairs: [string, string][]): string {
  let out = '';
  for (let i = 0; i < s.length;) {
    const hit = pairs.find(([from]) => s.startsWith(from, i));
    if (hit) { out += hit[1]; i += hit[0].length; } else { out += s[i]; i++; }
  }
  return out;
}

/** report.NormalizeFormat: unescape \t and \n; for tables drop `table ` and turn spaces into tabs. */
export function normalizeFormat(format: string): string {
  const f = hasTable(format)
    ? replaceAll(format, [['table ', ''], ['\\t', '\t'], [' ', '\t'], ['\\n', '\n']])
    : replaceAll(format, [['\\t', '\t'], ['\\n', '\n']]);
  return f.endsWith('\n') ? f : `${f}\n`;
}

const rangeRegex = /\{\{\s*range\s*\.\s*\}\}[\s\S]*\{\{\s*end\s*-?\s*\}\}/;

/** report.EnforceRange */
export function enforceRange(format: string): string {
  return rangeRegex.test(format) ? format : `{{range .}}${format}{{end -}}`;
}

export type Origin = 'user' | 'podman' | 'unknown';

/**
 * report.Formatter.Parse: the normalized text is tried first and, if it does not parse (a "\n"
 * inside a quoted string became a real newline), the text as typed.
 */
export function parseFormat(format: string, origin: Origin = 'user', name = ''): { template: Template; table: boolean } {
  let norm: string;
  let raw: string;
  const table = hasTable(format);
  if (table) {
    norm = `{{range .}}${normalizeFormat(format)}{{end -}}`;
    raw = `{{range .}}${format.slice('table '.length)}{{end -}}`;
  } else if (origin === 'user') {
    norm = enforceRange(normalizeFormat(format));
    raw = enforceRange(format);
  } else {
    norm = normalizeFormat(format);
    raw = format;
  }
  let template: Template;
  try {
    template = compileTemplate(norm, name);
  } catch (e) {
    if (!(e instanceof TsmanError)) throw e;
    template = compileTemplate(raw, name);
  }
  return { template, table: table || origin === 'podman' };
}

export interface FormatRowsOptions {
  /** Column titles by field name (upper-cased, as podman does); others default to the split field name. */
  headers?: Record<string, string>;
  /** --noheading: keep the table alignment but skip the header line. */
  noHeading?: boolean;
  /** Template name shown in error messages (podman uses the command name). */
  name?: string;
}

/** --format for list commands (images, ps, volume ls, ...). */
export function formatRows(format: string, rows: unknown[], opts: FormatRowsOptions = {}): string {
  if (isJSONFormat(format)) return `${toGoJSON(rows, { indent: '    ' })}\n`;
  const simple = simpleTable(format, rows, opts);
  if (simple !== undefined) return simple;
  const { template, table } = parseFormat(format, 'user', opts.name);
  if (!table) return template.execute(rows);
  let text = '';
  if (!opts.noHeading) text += template.executeHeader([new HeaderRow(opts.headers)]);
  text += template.execute(rows);
  return tabwrite(text);
}

/**
 * The common case of `table {{.A}}\t{{.B}}...` (every default table format): text and plain
 * field references only, and every referenced value a string, which Go's template prints as it
 * is. Substituted directly; the template engine costs ~5 ms for `ps` of 50 containers, most of it
 * first-run code. Anything else (other actions, a missing field, a non-string value) returns
 * undefined: the engine renders it, with its errors.
 */
function simpleTable(format: string, rows: unknown[], opts: FormatRowsOptions): string | undefined {
  if (!hasTable(format)) return undefined;
  const parts = normalizeFormat(format).split(/\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/);
  for (let i = 0; i < parts.length; i += 2) if (parts[i]!.includes('{{') || parts[i]!.includes('}}')) return undefined;
  const fields = parts.filter((_, i) => i % 2 === 1);
  const line = (value: (field: string) => string): string => parts.map((p, i) => (i % 2 === 1 ? value(p) : p)).join('');
  let text = '';
  if (!opts.noHeading) {
    const h = new HeaderRow(opts.headers);
    text += line((f) => h.header(f));
  }
  for (const row of rows) {
    if (typeof row !== 'object' || row === null || Object.getPrototypeOf(row) !== Object.prototype) return undefined;
    const r = row as Record<string, unknown>;
    for (const f of fields) if (typeof r[f] !== 'string' || !Object.prototype.hasOwnProperty.call(r, f)) return undefined;
    text += line((f) => r[f] as string);
  }
  return tabwrite(text);
}

export interface FormatOneOptions {
  /** Spaces of JSON indentation (podman inspect uses 5 on its array; info uses 4). */
  jsonIndent?: number;
  /** HTML-escape < > & in JSON (json.MarshalIndent does; podman inspect's encoder does not). */
  escapeHTML?: boolean;
  name?: string;
}

/** podman inspect's JSON: the array of objects, 5-space indented, without HTML escaping. */
export function formatInspectJson(items: unknown[]): string {
  return `${toGoJSON(items, { indent: '     ', escapeHTML: false })}\n`;
}

/** --format for single-object commands (inspect, info, version): the template on the object itself. */
export function formatOne(format: string, data: unknown, opts: FormatOneOptions = {}): string {
  if (isJSONFormat(format)) {
    return `${toGoJSON(data, { indent: ' '.repeat(opts.jsonIndent ?? 4), escapeHTML: opts.escapeHTML ?? false })}\n`;
  }
  if (hasTable(format)) return formatRows(format, [data], { name: opts.name });
  return parseFormat(format, 'unknown', opts.name).template.execute(data);
}
