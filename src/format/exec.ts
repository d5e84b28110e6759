// Executor for parsed templates, a port of text/template/exec.go: variables with Go's scoping,
// pipelines passing the previous result as the final argument, lazy and/or, range over slices,
// maps (sorted keys) and integers, break/continue, nested templates, and Go's error text
// ("template: NAME:LINE:COL: executing "NAME" at <NODE>: MESSAGE").

import { TsmanError } from '../errors.js';
import { FUNCS } from './funcs.js';
import type { FuncDef, ParamType } from './funcs.js';
import { nodeString } from './parser.js';
import type {
  ArgNode, BranchNode, ChainNode, CommandNode, FieldNode, IdentifierNode, ListNode, Node, PipeNode, VariableNode,
} from './parser.js';
import { sprintValue } from './printf.js';
import { HeaderRow, kindOf, lookupField, mapEntries, truth, typeName } from './values.js';

const MISSING = Symbol('missing');
type Final = unknown;
// Go allows 100000 nested template calls; a JS stack runs out long before that.
const MAX_DEPTH = 1000;

class LoopSignal { constructor(readonly kind: 'break' | 'continue') {} }

export interface ExecContext {
  name: string;
  text: string;
  root: ListNode;
  defs: Map<string, ListNode>;
  /** Render table headers: every field of a HeaderRow is its column title, and failures degrade gracefully. */
  header?: boolean;
}

export function execute(ctx: ExecContext, data: unknown): string {
  const s = new State(ctx);
  s.vars.push({ name: '$', value: data });
  try {
    s.walk(data, ctx.root);
  } catch (e) {
    if (e instanceof RangeError) {
      // the JS stack ran out first (templates calling templates, each nesting actions)
      const msg = /call stack/i.test(e.message) ? 'exceeded maximum template depth' : e.message;
      throw new TsmanError('EFORMAT', `template: ${ctx.name}: ${msg}`, { cause: e });
    }
    throw e;
  }
  return s.out.join('');
}

class State {
  out: string[] = [];
  vars: { name: string; value: unknown }[] = [];
  private node: Node | undefined;
  private depth = 0;

  constructor(private ctx: ExecContext) {}

  // ---- errors ----
  private at(n: Node): void { this.node = n; }
  errorf(msg: string): never {
    const name = this.ctx.name;
    if (!this.node) throw new TsmanError('EFORMAT', `template: ${name}: ${msg}`);
    const before = this.ctx.text.slice(0, this.node.pos);
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const nl = before.lastIndexOf('\n');
    const col = nl < 0 ? this.node.pos : this.node.pos - nl - 1;
    let context = nodeString(this.node);
    if (context.length > 20) context = `${context.slice(0, 20)}...`;
    throw new TsmanError('EFORMAT', `template: ${name}:${line}:${col}: executing ${JSON.stringify(name)} at <${context}>: ${msg}`);
  }

  // ---- variables ----
  private mark(): number { return this.vars.length; }
  private pop(mark: number): void { this.vars.length = mark; }
  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) { this.vars[i]!.value = value; return; }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.errorf(`undefined variable: ${name}`);
  }

  // ---- statements ----
  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.kind) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break': case 'continue': throw new LoopSignal(node.kind);
      case 'if': case 'with': return this.walkIfOrWith(dot, node);
      case 'list': for (const n of node.nodes) this.walk(dot, n); return;
      case 'range': return this.walkRange(dot, node);
      case 'template': {
        const tmpl = this.ctx.defs.get(node.name);
        if (!tmpl) this.errorf(`no such template ${JSON.stringify(node.name)}`);
        if (++this.depth > MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
        const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
        const saved = this.vars;
        this.vars = [{ name: '$', value: newDot }];
        try { this.walk(newDot, tmpl); } finally { this.vars = saved; this.depth--; }
        return;
      }
      case 'text': this.out.push(node.text); return;
      default: this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.mark();
    const val = this.evalPipeline(dot, node.pipe);
    if (truth(val)) this.walk(node.kind === 'with' ? val : dot, node.list);
    else if (node.elseList) this.walk(dot, node.elseList);
    this.pop(mark);
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const mark = this.mark();
    const val = this.evalPipeline(dot, r.pipe);
    const decl = r.pipe.decl;
    const one = (index: unknown, elem: unknown): boolean => {
      if (decl.length > 0) {
        if (r.pipe.isAssign) this.setVar(decl[0]!.idents[0]!, decl.length > 1 ? index : elem);
        else this.vars[this.vars.length - 1]!.value = elem;
      }
      if (decl.length > 1) {
        if (r.pipe.isAssign) this.setVar(decl[1]!.idents[0]!, elem);
        else this.vars[this.vars.length - 2]!.value = index;
      }
      const m = this.mark();
      try {
        this.walk(elem, r.list);
      } catch (e) {
        if (!(e instanceof LoopSignal)) throw e;
        if (e.kind === 'break') return false;
      } finally {
        this.pop(m);
      }
      return true;
    };
    let ran = false;
    const k = kindOf(val);
    if (k === 'slice') {
      const a = Array.from(val as ArrayLike<unknown>);
      ran = a.length > 0;
      for (let i = 0; i < a.length; i++) if (!one(i, a[i])) break;
    } else if (k === 'map' || (k === 'struct' && !(val instanceof HeaderRow))) {
      const entries = mapEntries(val as object);
      ran = entries.length > 0;
      for (const [key, v] of entries) if (!one(key, v)) break;
    } else if (k === 'int') {
      if (decl.length > 1) this.errorf(`can't use ${sprintValue(val)} to iterate over more than one variable`);
      const n = Number(val);
      ran = n > 0;
      for (let i = 0; i < n; i++) if (!one(i, i)) break;
    } else if (k === 'string' && this.ctx.header) {
      ran = true;
      one(0, val);
    } else if (k !== 'invalid') {
      this.errorf(`range can't iterate over ${sprintValue(val)}`);
    }
    if (!ran && r.elseList) this.walk(dot, r.elseList);
    this.pop(mark);
  }

  private printValue(node: Node, v: unknown): void {
    this.at(node);
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(node)} of type ${typeName(v)}`);
    this.out.push(v === undefined || v === null ? '<no value>' : sprintValue(v));
  }

  // ---- expressions ----
  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.idents[0]!, value);
      else this.vars.push({ name: v.idents[0]!, value });
    }
    return value;
  }

  private notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field': return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain': return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool': case 'number': case 'string': return first.value;
      case 'dot': return dot;
      case 'nil': this.errorf('nil is not a command');
    }
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: ArgNode[] | undefined, final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.idents, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: ArgNode[] | undefined, final: Final): unknown {
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const v = this.evalArg(dot, 'any', chain.node);
    this.at(chain);
    return this.evalFieldChain(dot, v, chain, chain.fields, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: ArgNode[] | undefined, final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.idents[0]!);
    if (v.idents.length === 1) {
      this.notAFunction(args ?? [v], final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.idents.slice(1), args, final);
  }

  private evalFieldChain(dot: unknown, recv: unknown, node: Node, idents: string[], args: ArgNode[] | undefined, final: Final): unknown {
    if (recv instanceof HeaderRow) return recv.header(idents[idents.length - 1]!);
    const n = idents.length;
    for (let i = 0; i < n - 1; i++) recv = this.evalField(dot, idents[i]!, node, undefined, MISSING, recv);
    return this.evalField(dot, idents[n - 1]!, node, args, final, recv);
  }

  private evalField(dot: unknown, name: string, node: Node, args: ArgNode[] | undefined, final: Final, recv: unknown): unknown {
    if (recv === undefined || recv === null) return undefined;
    if (this.ctx.header && typeof recv === 'string') return recv;
    const hasArgs = (args !== undefined && args.length > 1) || final !== MISSING;
    const k = kindOf(recv);
    if (k === 'map' || k === 'struct' || k === 'time') {
      const { found, value } = lookupField(recv as object, name);
      if (found && typeof value === 'function') {
        const def: FuncDef = { params: [], variadic: 'any', fn: (...a) => (value as (...x: unknown[]) => unknown).apply(recv, a) };
        return this.evalCall(dot, def, node, name, args, final);
      }
      if (hasArgs) this.errorf(k === 'map' ? `${name} is not a method but has arguments` : `${name} has arguments but cannot be invoked as function`);
      if (found) return value;
      if (k === 'map') return undefined;
    }
    this.errorf(`can't evaluate field ${name} in type ${typeName(recv)}`);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: ArgNode[] | undefined, final: Final): unknown {
    this.at(node);
    const def = FUNCS[node.name];
    if (!def) this.errorf(`${JSON.stringify(node.name)} is not a defined function`);
    if (!this.ctx.header) return this.evalCall(dot, def, cmd, node.name, args, final, node);
    // A header line renders column titles, which functions meant for data may reject.
    try {
      return this.evalCall(dot, def, cmd, node.name, args, final, node);
    } catch (e) {
      if (!(e instanceof TsmanError)) throw e;
      const vals = (args ?? []).slice(1).map((a) => { try { return this.evalArg(dot, 'any', a); } catch { return undefined; } });
      if (final !== MISSING) vals.push(final);
      const s = vals.find((v) => typeof v === 'string');
      return s ?? '';
    }
  }

  private evalCall(dot: unknown, def: FuncDef, node: Node, name: string, args: ArgNode[] | undefined, final: Final, ident?: Node): unknown {
    const argNodes = args ? args.slice(1) : [];
    const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
    const numFixed = def.params.length;
    if (ident) this.at(ident);
    if (def.variadic) {
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${argNodes.length}`);
    } else if (numIn !== numFixed) {
      this.errorf(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }
    const paramType = (i: number): ParamType => def.params[i] ?? def.variadic ?? 'any';
    if (ident && (name === 'and' || name === 'or')) {
      let v: unknown;
      for (const a of argNodes) {
        v = this.evalArg(dot, 'any', a);
        if (truth(v) === (name === 'or')) return v;
      }
      return final !== MISSING ? final : v;
    }
    const argv: unknown[] = argNodes.map((a, i) => this.evalArg(dot, paramType(i), a));
    if (final !== MISSING) {
      if (ident) this.at(ident);
      argv.push(this.validateType(final, paramType(argNodes.length)));
    }
    try {
      return def.fn(...argv);
    } catch (e) {
      if (e instanceof TsmanError || e instanceof LoopSignal) throw e;
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private evalArg(dot: unknown, type: ParamType, n: ArgNode): unknown {
    this.at(n);
    switch (n.kind) {
      case 'dot': return this.validateType(dot, type);
      case 'nil':
        if (type === 'any') return undefined;
        this.errorf(`cannot assign nil to ${goType(type)}`);
      // eslint-disable-next-line no-fallthrough
      case 'field': return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), type);
      case 'variable': return this.validateType(this.evalVariableNode(dot, n, undefined, MISSING), type);
      case 'pipe': return this.validateType(this.evalPipeline(dot, n), type);
      case 'identifier': return this.validateType(this.evalFunction(dot, n, n, undefined, MISSING), type);
      case 'chain': return this.validateType(this.evalChainNode(dot, n, undefined, MISSING), type);
    }
    switch (type) {
      case 'any': return n.value;
      case 'string':
        if (n.kind === 'string') return n.value;
        this.errorf(`expected string; found ${nodeString(n)}`);
      // eslint-disable-next-line no-fallthrough
      case 'int':
        if (n.kind === 'number' && n.isInt) return n.value;
        this.errorf(`expected integer; found ${nodeString(n)}`);
      // eslint-disable-next-line no-fallthrough
      case 'strings':
        this.errorf(`can't handle ${nodeString(n)} for arg of type []string`);
    }
  }

  private validateType(v: unknown, type: ParamType): unknown {
    if (type === 'any') return v;
    if (v === undefined || v === null) this.errorf(`invalid value; expected ${goType(type)}`);
    const ok = type === 'string' ? typeof v === 'string'
      : type === 'int' ? (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint'
      : Array.isArray(v) && v.every((e) => typeof e === 'string');
    if (!ok) {
      // A header line passes column titles where data would have lists.
      if (this.ctx.header && type === 'strings' && typeof v === 'string') return [v];
      this.errorf(`wrong type for value; expected ${goType(type)}; got ${typeName(v)}`);
    }
    return type === 'int' ? Number(v) : v;
  }
}

function goType(t: ParamType): string {
  return t === 'strings' ? '[]string' : t === 'any' ? 'interface {}' : t;
}
