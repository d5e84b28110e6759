// Parser for Go's text/template, a port of text/template/parse/parse.go: the same tree shapes
// (else-if rewritten as a nested if, field chains folded into field/variable nodes) and the same
// parse-time checks (undefined functions and variables, empty and non-executable pipelines).

import { TsmanError } from '../errors.js';
import { itemString, lex } from './lexer.js';
import type { Item, ItemType } from './lexer.js';

interface At { pos: number }
export interface FieldNode extends At { kind: 'field'; idents: string[] }
export interface ChainNode extends At { kind: 'chain'; node: ArgNode; fields: string[] }
export interface IdentifierNode extends At { kind: 'identifier'; name: string }
export interface VariableNode extends At { kind: 'variable'; idents: string[] }
export interface DotNode extends At { kind: 'dot' }
export interface NilNode extends At { kind: 'nil' }
export interface BoolNode extends At { kind: 'bool'; value: boolean }
export interface NumberNode extends At { kind: 'number'; value: number; text: string; isInt: boolean }
export interface StringNode extends At { kind: 'string'; value: string; quoted: string }
export interface PipeNode extends At { kind: 'pipe'; line: number; isAssign: boolean; decl: VariableNode[]; cmds: CommandNode[] }
export interface CommandNode extends At { kind: 'command'; args: ArgNode[] }
export type ArgNode = FieldNode | ChainNode | IdentifierNode | VariableNode | DotNode | NilNode | BoolNode | NumberNode | StringNode | PipeNode;

export interface TextNode extends At { kind: 'text'; text: string }
export interface ActionNode extends At { kind: 'action'; line: number; pipe: PipeNode }
export interface BranchNode extends At { kind: 'if' | 'range' | 'with'; line: number; pipe: PipeNode; list: ListNode; elseList?: ListNode }
export interface TemplateNode extends At { kind: 'template'; line: number; name: string; pipe?: PipeNode }
export interface LoopControlNode extends At { kind: 'break' | 'continue'; line: number }
export interface ListNode extends At { kind: 'list'; nodes: Node[] }
interface EndNode extends At { kind: 'end' }
interface ElseNode extends At { kind: 'else'; line: number }
export type Node = TextNode | ActionNode | BranchNode | TemplateNode | LoopControlNode | ListNode | CommandNode | ArgNode;
type ParsedNode = Node | EndNode | ElseNode;

/** Go's Node.String(), used for the "executing ... at <...>" context of errors. */
export function nodeString(n: Node | EndNode | ElseNode): string {
  switch (n.kind) {
    case 'field': return n.idents.map((i) => `.${i}`).join('');
    case 'chain': return (n.node.kind === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) + n.fields.map((f) => `.${f}`).join('');
    case 'identifier': return n.name;
    case 'variable': return n.idents.join('.');
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'bool': return String(n.value);
    case 'number': return n.text;
    case 'string': return n.quoted;
    case 'pipe': {
      let s = n.decl.length ? `${n.decl.map(nodeString).join(', ')} ${n.isAssign ? '=' : ':='} ` : '';
      s += n.cmds.map(nodeString).join(' | ');
      return s;
    }
    case 'command': return n.args.map((a) => (a.kind === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'text': return n.text;
    case 'action': return `{{${nodeString(n.pipe)}}}`;
    case 'if': case 'range': case 'with':
      return `{{${n.kind} ${nodeString(n.pipe)}}}${nodeString(n.list)}${n.elseList ? `{{else}}${nodeString(n.elseList)}` : ''}{{end}}`;
    case 'template': return `{{template ${JSON.stringify(n.name)}${n.pipe ? ` ${nodeString(n.pipe)}` : ''}}}`;
    case 'break': case 'continue': return `{{${n.kind}}}`;
    case 'list': return n.nodes.map(nodeString).join('');
    case 'end': return '{{end}}';
    case 'else': return '{{else}}';
  }
}

export interface ParseResult {
  root: ListNode;
  defs: Map<string, ListNode>;
}

export function parseTemplate(name: string, text: string, hasFunc: (n: string) => boolean): ParseResult {
  return new Parser(name, text, hasFunc).parse();
}

/**
 * How deeply actions and parenthesized pipelines may nest. Go's parser limits parentheses to
 * 10000 ("max expression depth exceeded") and nothing else, its stacks grow; a JS stack does not,
 * and parsing and then executing each level takes several frames.
 */
export const MAX_NESTING = 1000;

class Parser {
  private items: Item[];
  private i = 0;
  private line = 1;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private nesting = 0;
  private defs = new Map<string, ListNode>();

  constructor(private name: string, text: string, private hasFunc: (n: string) => boolean) {
    this.items = lex(text);
  }

  parse(): ParseResult {
    const root: ListNode = { kind: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().typ !== 'eof') {
      if (this.peek().typ === 'leftDelim') {
        const mark = this.i;
        this.next();
        if (this.nextNonSpace().typ === 'define') {
          this.parseDefinition('define clause');
          continue;
        }
        this.i = mark;
      }
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n as Node);
    }
    return { root, defs: this.defs };
  }

  // ---- token stream ----
  private next(): Item {
    const it = this.items[Math.min(this.i, this.items.length - 1)]!;
    this.i++;
    this.line = it.line;
    return it;
  }
  private backup(n = 1): void { this.i -= n; }
  private peek(): Item {
    return this.items[Math.min(this.i, this.items.length - 1)]!;
  }
  private nextNonSpace(): Item {
    let t: Item;
    do t = this.next(); while (t.typ === 'space');
    return t;
  }
  private peekNonSpace(): Item {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }
  private expect(typ: ItemType, context: string): Item {
    const t = this.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }

  errorf(msg: string): never {
    throw new TsmanError('EFORMAT', `template: ${this.name}:${this.line}: ${msg}`);
  }
  private unexpected(t: Item, context: string): never {
    if (t.typ === 'error') this.errorf(t.val);
    this.errorf(`unexpected ${itemString(t)} in ${context}`);
  }

  // ---- structure ----
  private parseDefinition(context: string, nameTok?: Item): string {
    const tok = nameTok ?? this.nextNonSpace();
    const name = this.templateName(tok, context);
    if (!nameTok) this.expect('rightDelim', context);
    const saved = this.vars;
    this.vars = ['$'];
    const [list, end] = this.nested(() => this.itemList());
    this.vars = saved;
    if (end.kind !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    const isEmpty = (l: ListNode): boolean => l.nodes.every((n) => n.kind === 'text' && n.text.trim() === '');
    const prev = this.defs.get(name);
    if (prev && !isEmpty(prev)) {
      if (!isEmpty(list)) this.errorf(`template: multiple definition of template ${JSON.stringify(name)}`);
      return name;
    }
    this.defs.set(name, list);
    return name;
  }

  /** fn one level deeper: if/range/with (else-if chains included), block bodies, parentheses. */
  private nested<T>(fn: () => T): T {
    if (this.nesting >= MAX_NESTING) this.errorf('max expression depth exceeded');
    this.nesting++;
    try { return fn(); } finally { this.nesting--; }
  }

  private templateName(tok: Item, context: string): string {
    if (tok.typ === 'string' || tok.typ === 'rawString') return this.unquote(tok.val);
    this.unexpected(tok, context);
  }

  private itemList(): [ListNode, ParsedNode] {
    const list: ListNode = { kind: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().typ !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return [list, n];
      list.nodes.push(n as Node);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): ParsedNode {
    const t = this.nextNonSpace();
    if (t.typ === 'text') return { kind: 'text', pos: t.pos, text: t.val };
    if (t.typ === 'leftDelim') return this.action();
    this.unexpected(t, 'input');
  }

  private action(): ParsedNode {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case 'block': return this.blockControl();
      case 'break': case 'continue': {
        const end = this.nextNonSpace();
        if (end.typ !== 'rightDelim') this.unexpected(end, `{{${t.typ}}}`);
        if (this.rangeDepth === 0) this.errorf(`{{${t.typ}}} outside {{range}}`);
        return { kind: t.typ, pos: t.pos, line: t.line };
      }
      case 'else': {
        const p = this.peekNonSpace();
        // "{{else if ..." and "{{else with ..." leave the keyword pending for parseControl.
        if (p.typ === 'if' || p.typ === 'with') return { kind: 'else', pos: p.pos, line: p.line };
        const end = this.expect('rightDelim', 'else');
        return { kind: 'else', pos: end.pos, line: end.line };
      }
      case 'end': return { kind: 'end', pos: this.expect('rightDelim', 'end').pos };
      case 'if': case 'range': case 'with': return this.control(t.typ);
      case 'template': {
        const context = 'template clause';
        const name = this.templateName(this.nextNonSpace(), context);
        let pipe: PipeNode | undefined;
        if (this.nextNonSpace().typ !== 'rightDelim') {
          this.backup();
          pipe = this.pipeline(context, 'rightDelim');
        }
        return { kind: 'template', pos: t.pos, line: t.line, name, pipe };
      }
    }
    this.backup();
    const p = this.peek();
    return { kind: 'action', pos: p.pos, line: p.line, pipe: this.pipeline('command', 'rightDelim') };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    const pipe = this.pipeline(context, 'rightDelim');
    this.parseDefinition(context, tok);
    return { kind: 'template', pos: tok.pos, line: tok.line, name, pipe };
  }

  private control(kind: 'if' | 'range' | 'with'): BranchNode {
    return this.nested(() => this.controlBody(kind));
  }

  private controlBody(kind: 'if' | 'range' | 'with'): BranchNode {
    const mark = this.vars.length;
    const pipe = this.pipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth++;
    const [list, next] = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (next.kind === 'else') {
      const p = this.peek();
      if ((kind === 'if' && p.typ === 'if') || (kind === 'with' && p.typ === 'with')) {
        // {{if a}}_{{else if b}}_{{end}} is {{if a}}_{{else}}{{if b}}_{{end}}{{end}}
        this.next();
        elseList = { kind: 'list', pos: next.pos, nodes: [this.control(kind)] };
      } else {
        const [l, end] = this.itemList();
        if (end.kind !== 'end') this.errorf(`expected end; found ${nodeString(end)}`);
        elseList = l;
      }
    }
    this.vars.length = mark;
    return { kind, pos: pipe.pos, line: pipe.line, pipe, list, elseList };
  }

  // ---- pipelines ----
  private pipeline(context: string, end: ItemType): PipeNode {
    const tok = this.peekNonSpace();
    const pipe: PipeNode = { kind: 'pipe', pos: tok.pos, line: tok.line, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== 'variable') break;
      const mark = this.i;
      this.nextNonSpace();
      const nx = this.nextNonSpace();
      if (nx.typ === 'assign' || nx.typ === 'declare') {
        pipe.isAssign = nx.typ === 'assign';
        pipe.decl.push({ kind: 'variable', pos: v.pos, idents: [v.val] });
        this.vars.push(v.val);
        break;
      }
      if (nx.typ === 'char' && nx.val === ',') {
        pipe.decl.push({ kind: 'variable', pos: v.pos, idents: [v.val] });
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      this.i = mark;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.typ === end) {
        if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
        pipe.cmds.slice(1).forEach((c, i) => {
          const k = c.args[0]!.kind;
          if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
            this.errorf(`non executable command in pipeline stage ${i + 2}`);
          }
        });
        return pipe;
      }
      switch (t.typ) {
        case 'bool': case 'charConstant': case 'dot': case 'field': case 'identifier': case 'number':
        case 'nil': case 'rawString': case 'string': case 'variable': case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const op = this.operand();
      if (op) cmd.args.push(op);
      const t = this.next();
      if (t.typ === 'space') continue;
      if (t.typ === 'rightDelim' || t.typ === 'rightParen') this.backup();
      else if (t.typ !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | undefined {
    let node = this.term();
    if (!node) return undefined;
    if (this.peek().typ === 'field') {
      const fields: string[] = [];
      while (this.peek().typ === 'field') fields.push(this.next().val.slice(1));
      switch (node.kind) {
        case 'field': node = { kind: 'field', pos: node.pos, idents: [...node.idents, ...fields] }; break;
        case 'variable': node = { kind: 'variable', pos: node.pos, idents: [...node.idents, ...fields] }; break;
        case 'bool': case 'string': case 'number': case 'nil': case 'dot':
          this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
        // eslint-disable-next-line no-fallthrough
        default: node = { kind: 'chain', pos: node.pos, node, fields };
      }
    }
    return node;
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case 'identifier':
        if (!this.hasFunc(t.val)) this.errorf(`function ${JSON.stringify(t.val)} not defined`);
        return { kind: 'identifier', pos: t.pos, name: t.val };
      case 'dot': return { kind: 'dot', pos: t.pos };
      case 'nil': return { kind: 'nil', pos: t.pos };
      case 'variable':
        if (!this.vars.includes(t.val)) this.errorf(`undefined variable ${JSON.stringify(t.val)}`);
        return { kind: 'variable', pos: t.pos, idents: [t.val] };
      case 'field': return { kind: 'field', pos: t.pos, idents: t.val.slice(1).split('.') };
      case 'bool': return { kind: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'charConstant': {
        let v: string;
        try { v = unquoteGo(t.val); } catch { this.errorf(`malformed character constant: ${t.val}`); }
        const cp = v.codePointAt(0);
        if (cp === undefined || String.fromCodePoint(cp) !== v) this.errorf(`malformed character constant: ${t.val}`);
        return { kind: 'number', pos: t.pos, value: cp, text: t.val, isInt: true };
      }
      case 'number': {
        const n = parseGoNumber(t.val);
        if (typeof n === 'string') this.errorf(n);
        return { kind: 'number', pos: t.pos, value: n.value, text: t.val, isInt: n.isInt };
      }
      case 'leftParen': return this.nested(() => this.pipeline('parenthesized pipeline', 'rightParen'));
      case 'string': case 'rawString':
        return { kind: 'string', pos: t.pos, value: this.unquote(t.val), quoted: t.val };
    }
    this.backup();
    return undefined;
  }

  private unquote(s: string): string {
    try { return unquoteGo(s); } catch { this.errorf('invalid syntax'); }
  }
}

/** strconv.Unquote for "..." `...` and '...' literals. */
export function unquoteGo(s: string): string {
  const q = s[0];
  if (s.length < 2 || s[s.length - 1] !== q) throw new Error('invalid syntax');
  const body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new Error('invalid syntax');
    return body.replace(/\r/g, '');
  }
  if (q !== '"' && q !== '\'') throw new Error('invalid syntax');
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === q || c === '\n') throw new Error('invalid syntax');
    if (c !== '\\') { out += c; continue; }
    const e = body[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (e === undefined) throw new Error('invalid syntax');
    if (simple[e] !== undefined) { out += simple[e]; continue; }
    if (e === q) { out += e; continue; }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen) {
      const h = body.slice(i + 1, i + 1 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(h)) throw new Error('invalid syntax');
      const v = parseInt(h, 16);
      if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000 && e !== 'x')) throw new Error('invalid syntax');
      // \x is a byte; bytes >= 0x80 only make sense as UTF-8 sequences, which JS strings cannot hold
      out += String.fromCodePoint(v);
      i += hexLen;
      continue;
    }
    if (e >= '0' && e <= '7') {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o) || parseInt(o, 8) > 255) throw new Error('invalid syntax');
      out += String.fromCharCode(parseInt(o, 8));
      i += 2;
      continue;
    }
    throw new Error('invalid syntax');
  }
  return out;
}

/** The number rules of parse.newNumber: Go integer literals first (0x, 0o, 0b, legacy octal), then floats. */
export function parseGoNumber(text: string): { value: number; isInt: boolean } | string {
  if (text.endsWith('i')) return `complex numbers are not supported: ${JSON.stringify(text)}`;
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(text);
  if (m && !/__|_$/.test(m[2]!)) {
    const body = m[2]!.replace(/_/g, '');
    let v: number;
    if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
    else if (/^0[oO]/.test(body)) v = parseInt(body.slice(2), 8);
    else if (/^0[bB]/.test(body)) v = parseInt(body.slice(2), 2);
    else if (body.length > 1 && body[0] === '0') v = parseInt(body, 8);
    else v = parseInt(body, 10);
    if (!Number.isNaN(v)) return { value: m[1] === '-' ? -v : v, isInt: true };
  }
  if (/^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d[\d_]*)?$/.test(text) && !/__|_\.|\._|_$|_[eE]/.test(text)) {
    const v = Number(text.replace(/_/g, ''));
    if (Number.isFinite(v)) {
      if (!/[.eE]/.test(text)) return `integer overflow: ${JSON.stringify(text)}`;
      return { value: v, isInt: Number.isInteger(v) };
    }
  }
  const hexFloat = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?\d+)$/.exec(text);
  if (hexFloat) {
    const int = hexFloat[2]!.replace(/_/g, '');
    const frac = (hexFloat[3] ?? '').replace(/_/g, '');
    const mant = parseInt(int + frac || '0', 16) / 16 ** frac.length;
    const v = mant * 2 ** Number(hexFloat[4]);
    return { value: hexFloat[1] === '-' ? -v : v, isInt: false };
  }
  return `illegal number syntax: ${JSON.stringify(text)}`;
}
