// Import direction: every arrow in src/ points down the layers below, and no files import each
// other in a circle. Every import counts: static, `import type`, `export ... from`, dynamic
// `import('...')` (lazy loading is a start-up device, not a way around the layers) and
// `import('...').T` in type positions.
//
// The floors, top to bottom (podman's cmd/podman → pkg/domain/entities → libpod + containers/
// storage + netavark). A file may import its own floor and any floor below it, never one above.
//
//   0  cli/                                   parse and print; call the engine API
//   1  engine/api/                            the engine's interfaces, Options and Report types
//   2  engine/local/, engine/ (the rest)      the engine: verbs over the backends
//   3  image/, network/, runtime/, cgroupv2/  backends
//   4  storage/, userns/, config/, netslirp/  what the backends stand on
//   5  format/, util/, startup/, errors.ts, version.ts
//
// A directory not in this table fails the test: put it on a floor here.
//
// EXCEPTIONS lists the arrows that still break the rule, one line each with its reason; they are
// left out of both checks. The list may only shrink: an entry whose import is gone is reported
// (as a diagnostic) so that it can be deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const FLOORS: Array<[prefix: string, floor: number]> = [
  ['cli/', 0],
  ['engine/api/', 1],
  ['engine/local/', 2],
  ['engine/', 2],
  ['image/', 3], ['network/', 3], ['runtime/', 3], ['cgroupv2/', 3],
  ['storage/', 4], ['userns/', 4], ['config/', 4], ['netslirp/', 4],
  ['format/', 5], ['util/', 5], ['startup/', 5], ['errors.ts', 5], ['version.ts', 5],
];

/** `from → to` (paths under src/), why it is still there and whose move removes it. */
const EXCEPTIONS: Array<[from: string, to: string, reason: string]> = [
  ['storage/store.ts', 'engine/containers/types.ts', 'StoreState holds ContainerRecords: the persisted records move to storage/ (storage move)'],
  ['storage/store.ts', 'engine/volumes.ts', 'StoreState holds VolumeRecords: the persisted records move to storage/ (storage move)'],
  ['storage/store.ts', 'image/validate.ts', 'store.json is checked with the registry documents\' shape checkers: they belong below storage (storage move)'],
  ['storage/store.ts', 'image/mediatypes.ts', 'readConfig\'s default type is the image config: a storage-level record type (storage move)'],
  // circles on one floor
  ['engine/index.ts', 'engine/images.ts', 'the Engine facade imports the verbs that import its type back: verbs behind engine/api interfaces (CLI/engine API move)'],
  ['engine/index.ts', 'engine/containers/lifecycle.ts', 'the same circle: systemReset removes containers through the facade module (CLI/engine API move)'],
  ['engine/index.ts', 'engine/imagemount.ts', 'the same circle: systemReset unmounts images through the facade module (CLI/engine API move)'],
  ['engine/containers/confdefaults.ts', 'engine/containers/create.ts', 'CreateOptions lives in create.ts, which applies the defaults: an Options type for engine/api (CLI/engine API move)'],
  ['engine/volumes.ts', 'engine/containers/lifecycle.ts', 'volume rm -f removes its containers while rm -v removes their volumes: the two verbs call each other (CLI/engine API move)'],
];

// dist/test/unit/imports.test.js or test/unit/imports.test.ts: the checkout is three or two up
const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = [path.resolve(here, '../../..'), path.resolve(here, '../..')].find((d) => {
  try { return statSync(path.join(d, 'src', 'errors.ts')).isFile(); } catch { return false; }
})!;
const SRC = path.join(ROOT, 'src');

function floorOf(file: string): number | undefined {
  return FLOORS.find(([p]) => (p.endsWith('/') ? file.startsWith(p) : file === p))?.[1];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every module specifier a file names, with how: static, type, dynamic. */
function specifiers(file: string): Array<{ spec: string; kind: string }> {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: Array<{ spec: string; kind: string }> = [];
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      out.push({ spec: n.moduleSpecifier.text, kind: n.importClause?.isTypeOnly ? 'type' : 'static' });
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      out.push({ spec: n.moduleSpecifier.text, kind: n.isTypeOnly ? 'type' : 'static' });
    } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) {
      out.push({ spec: n.moduleReference.expression.text, kind: 'static' });
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteralLike(n.arguments[0])) {
      out.push({ spec: n.arguments[0].text, kind: 'dynamic' });
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      out.push({ spec: n.argument.literal.text, kind: 'type' });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

interface Edge { from: string; to: string; kind: string }

/** The import graph over src/ (relative imports only; paths relative to src/). */
function graph(): { files: string[]; edges: Edge[] } {
  const files = walk(SRC).map((f) => path.relative(SRC, f)).sort();
  const known = new Set(files);
  const edges: Edge[] = [];
  for (const from of files) {
    for (const { spec, kind } of specifiers(path.join(SRC, from))) {
      if (!spec.startsWith('.')) continue;
      const abs = path.resolve(path.dirname(path.join(SRC, from)), spec);
      const rel = path.relative(SRC, abs);
      const to = [rel.replace(/\.js$/, '.ts'), rel, `${rel}.ts`, path.join(rel, 'index.ts')].find((c) => known.has(c));
      // an import of something outside src/ (a JSON file, a generated module): not layered
      if (to === undefined) continue;
      edges.push({ from, to, kind });
    }
  }
  return { files, edges };
}

const isException = (e: Edge): boolean => EXCEPTIONS.some(([f, t]) => f === e.from && t === e.to);

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
function circles(files: string[], edges: Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) next.get(e.from)!.push(e.to);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  // iterative: a deep import chain must not overflow the stack
  for (const root of files) {
    if (index.has(root)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: root, i: 0 }];
    index.set(root, counter); low.set(root, counter); counter++;
    stack.push(root); onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = next.get(top.v)!;
      if (top.i < succ.length) {
        const w = succ[top.i++]!;
        if (!index.has(w)) {
          index.set(w, counter); low.set(w, counter); counter++;
          stack.push(w); onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const comp: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); comp.push(w); } while (w !== top.v);
        if (comp.length > 1 || succ.includes(top.v)) out.push(comp.sort());
      }
    }
  }
  return out;
}

const { files, edges } = graph();

test('every file under src/ sits on a floor', () => {
  const lost = files.filter((f) => floorOf(f) === undefined);
  assert.deepEqual(lost, [], `files outside the layer table at the top of test/unit/imports.test.ts: put their directory on a floor:\n${lost.join('\n')}`);
});

test('the import reader sees static, type, re-export and dynamic imports', () => {
  // this file's own shape is known: guard against a reader that silently finds nothing
  assert.ok(edges.length > 300, `only ${edges.length} imports found in src/`);
  for (const kind of ['static', 'type', 'dynamic']) assert.ok(edges.some((e) => e.kind === kind), `no ${kind} import found`);
});

test('no import points up a floor', (t) => {
  const up = edges.filter((e) => (floorOf(e.to) ?? 99) < (floorOf(e.from) ?? -1));
  const bad = up.filter((e) => !isException(e));
  for (const [f, to] of EXCEPTIONS) {
    if (!edges.some((e) => e.from === f && e.to === to)) t.diagnostic(`stale exception (the import is gone, delete the entry): ${f} → ${to}`);
  }
  const lines = bad.map((e) => `${e.from} → ${e.to} (${e.kind}; floor ${floorOf(e.from)} → ${floorOf(e.to)})`);
  assert.deepEqual(lines, [], `upward imports (move the code down, or take what it needs as a parameter):\n${lines.join('\n')}`);
});

test('no import circles (type and lazy imports count)', (t) => {
  const found = circles(files, edges.filter((e) => !isException(e)));
  // an exception on one floor is there to break a circle: say so when it breaks none any more
  for (const [f, to] of EXCEPTIONS) {
    const e = edges.find((x) => x.from === f && x.to === to);
    if (!e || (floorOf(to) ?? 99) < (floorOf(f) ?? -1)) continue;
    const without = edges.filter((x) => x === e || !isException(x));
    if (circles(files, without).length === found.length) t.diagnostic(`exception no longer needed (no circle without it, delete the entry): ${f} → ${to}`);
  }
  const text = found.map((c) => `  ${c.join(', ')}`).join('\n');
  assert.deepEqual(found, [], `files that import each other in a circle:\n${text}`);
});
