// clipanion compiles one state machine over the registered commands at every process() call and
// then simplifies it as a whole: every node inherits the transitions of the nodes its shortcuts
// (epsilon transitions) lead to. For `run`/`create` (~100 options, each reachable from several
// nodes) that whole-machine pass is ~25 ms of a ~150 ms command on the test machines, while one
// command line visits a handful of nodes. Here the machine is simplified lazily: a node's
// shortcuts are folded in (clipanion's own merge, node by node) the first time the parser reads
// that node. Folding a node needs its shortcut targets folded first, nothing else, so with an
// acyclic shortcut graph (clipanion's builder makes one; test/unit/lazymachine.test.ts checks
// every command set) the result is the same machine, node for node, as the eager pass.
//
// The unsimplified machine itself (~350 nodes for `run`: ~4 ms to build from the command classes
// on the test machines) depends only on tsman's build: it can be kept as JSON (clipanion's machines
// are plain data, tests and reducers named by strings) in the user's cache next to the code cache
// (bin/boot.cjs names the file after the build) and parsed in ~1 ms.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Cli } from 'clipanion';
import * as core from 'clipanion/lib/core.js';
import { END_OF_INPUT } from 'clipanion/lib/constants.js';

type Machine = core.StateMachine;
type Node = Machine['nodes'][number];

/** clipanion's CliBuilder as far as this file needs it (not public API). */
interface CliBuilderLike {
  builders: Array<{ compile: () => { machine: Machine; context: unknown }; context: unknown }>;
  compile: () => {
    machine: Machine;
    contexts: unknown[];
    process: (input: string[]) => core.RunState;
    suggest: (input: string[], partial: boolean) => unknown;
  };
}

/** Fold one node's shortcuts into it: clipanion's simplifyMachine body, for that node only. */
function fold(nodeAt: (n: number) => Node, node: number, ensure: (n: number) => void): void {
  const nodeDef = nodeAt(node);
  for (const { to } of nodeDef.shortcuts) ensure(to);
  const shortcuts = new Set(nodeDef.shortcuts.map(({ to }) => to));
  // clipanion looks for an equal dynamic transition with .some() over the node's list: ~200
  // options each, so O(n^2) per node (~4 ms of a `run`). The same test (by identity, as clipanion
  // compares) and target, looked up in a map instead
  const dynamics = new Map<unknown, Set<number>>();
  const haveDynamic = (test: unknown, to: number): boolean => {
    let targets = dynamics.get(test);
    if (!targets) dynamics.set(test, targets = new Set());
    if (targets.has(to)) return true;
    targets.add(to);
    return false;
  };
  for (const [test, { to }] of nodeDef.dynamics) haveDynamic(test, to);
  while (nodeDef.shortcuts.length > 0) {
    const { to } = nodeDef.shortcuts.shift()!;
    const toDef = nodeAt(to);
    for (const [segment, transitions] of Object.entries(toDef.statics)) {
      const store = !Object.prototype.hasOwnProperty.call(nodeDef.statics, segment)
        ? nodeDef.statics[segment] = []
        : nodeDef.statics[segment]!;
      for (const transition of transitions) {
        if (!store.some(({ to: t }) => transition.to === t)) store.push(transition);
      }
    }
    for (const [test, transition] of toDef.dynamics) {
      if (!haveDynamic(test, transition.to)) nodeDef.dynamics.push([test, transition]);
    }
    for (const transition of toDef.shortcuts) {
      if (!shortcuts.has(transition.to)) {
        nodeDef.shortcuts.push(transition);
        shortcuts.add(transition.to);
      }
    }
  }
}

/**
 * The unsimplified machine of `builders` (clipanion's CliBuilder.compile() minus the simplify
 * pass) behind a view of its node list that folds each node the first time it is read.
 */
export function lazyMachine(builders: CliBuilderLike['builders'], cacheFile?: string): { machine: Machine; contexts: unknown[]; ensure: (n: number) => void } {
  let built: Machine | undefined;
  const build = (): Machine => (built ??= core.makeAnyOfMachine(builders.map((b) => b.compile().machine)));
  // kept: each node's JSON text, parsed when the parser first reaches the node (a handful of ~350)
  const kept = cacheFile !== undefined ? readMachine(cacheFile) : undefined;
  let list: Node[];
  if (kept) {
    list = new Array<Node>(kept.length);
  } else {
    list = build().nodes;
    if (cacheFile !== undefined) writeMachine(cacheFile, list);
  }
  const nodeAt = (n: number): Node => {
    let d = list[n];
    if (d === undefined && kept && n < kept.length) {
      // a node that does not parse as one (a damaged file): the one built from the commands
      d = parseNode(kept[n]!) ?? build().nodes[n]!;
      list[n] = d;
    }
    return d!;
  };
  const done = new Set<number>();
  const ensure = (n: number): void => {
    if (done.has(n)) return;
    done.add(n);
    fold(nodeAt, n, ensure);
  };
  const nodes = new Proxy(list, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop.length > 0 && prop.charCodeAt(0) >= 48 && prop.charCodeAt(0) <= 57) ensure(Number(prop));
      return Reflect.get(target, prop, receiver);
    },
  });
  return { machine: { nodes } as Machine, contexts: builders.map((b) => b.context), ensure };
}

/** A kept machine's node texts, or undefined (none, unreadable, not one). */
function readMachine(file: string): string[] | undefined {
  try {
    const m = JSON.parse(readFileSync(file, 'latin1')) as { version?: number; nodes?: unknown };
    if (m.version === 2 && Array.isArray(m.nodes) && m.nodes.length > 2 && m.nodes.every((n) => typeof n === 'string')) return m.nodes as string[];
  } catch { /* none yet, or damaged: built again */ }
  return undefined;
}

function parseNode(text: string): Node | undefined {
  try {
    const n = JSON.parse(text) as Node;
    if (n && Array.isArray(n.shortcuts) && Array.isArray(n.dynamics) && typeof n.statics === 'object' && n.statics !== null) return n;
  } catch { /* below */ }
  return undefined;
}

/** Keep a machine's nodes (before any is folded), atomically; a read-only home keeps none. */
function writeMachine(file: string, nodes: Node[]): void {
  try {
    const tmp = `${file}.${process.pid}.tmp`;
    const text = JSON.stringify({ version: 2, nodes: nodes.map((n) => JSON.stringify(n)) });
    // escaped to ASCII: read back as latin1, no UTF-8 decoding
    writeFileSync(tmp, text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`), { mode: 0o600 });
    renameSync(tmp, file);
  } catch { /* no cache */ }
}

/**
 * Make `cli` parse with a lazily simplified machine (suggestions keep clipanion's own); with
 * `cacheFile`, the unsimplified machine is read from there, or written there once built.
 */
export function useLazyMachine(cli: Cli<never>, cacheFile?: string): void {
  const b = (cli as unknown as { builder: CliBuilderLike }).builder;
  const original = b.compile.bind(b);
  b.compile = () => {
    const { machine, contexts } = lazyMachine(b.builders, cacheFile);
    return {
      machine,
      contexts,
      // clipanion's runMachine(), which core.js does not export
      process: (input: string[]) => core.selectBestState(input, core.runMachineInternal(machine, [...input, END_OF_INPUT]).map(({ state }) => state)),
      suggest: (input: string[], partial: boolean) => original().suggest(input, partial),
    };
  };
}
