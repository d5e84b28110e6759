import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as core from 'clipanion/lib/core.js';
import type { Cli } from 'clipanion';
import { makeCli } from '../../src/cli/main.js';
import { commands } from '../../src/cli/registry.js';
import { lazyMachine, useLazyMachine } from '../../src/cli/lazymachine.js';

type Builders = Parameters<typeof lazyMachine>[0];
const buildersOf = (cli: Cli<never>): Builders => (cli as unknown as { builder: { builders: Builders } }).builder.builders;

const keys = ['_all', ...new Set(commands.flatMap((c) => c.paths.map((p) => p[0]!)).filter((w) => !w.startsWith('-') && w !== 'help'))];

test('every command set: acyclic shortcuts, and folding lazily gives the eagerly simplified machine', async () => {
  for (const key of keys) {
    const cli = await makeCli(key) as unknown as Cli<never>;
    const lazy = lazyMachine(buildersOf(cli));
    const nodes = (lazy.machine as unknown as { nodes: core.StateMachine['nodes'] }).nodes;
    // the shortcut graph of the unsimplified machine has no cycle (so the folding order does not matter)
    const state = new Map<number, 1 | 2>();
    const raw = core.makeAnyOfMachine(buildersOf(cli).map((b) => b.compile().machine));
    const rawNodes = raw.nodes;
    const visitRaw = (n: number): void => {
      state.set(n, 1);
      for (const { to } of rawNodes[n]!.shortcuts) {
        assert.notEqual(state.get(to), 1, `shortcut cycle through node ${to} in command set ${key}`);
        if (!state.has(to)) visitRaw(to);
      }
      state.set(n, 2);
    };
    for (let n = 0; n < rawNodes.length; n++) if (!state.has(n)) visitRaw(n);
    // fold every node lazily, in reverse order (the eager pass goes depth-first from the start)
    for (let n = nodes.length - 1; n >= 0; n--) lazy.ensure(n);
    const eager = core.makeAnyOfMachine(buildersOf(cli).map((b) => b.compile().machine));
    core.simplifyMachine(eager);
    assert.equal(JSON.stringify(Array.from({ length: nodes.length }, (_, i) => nodes[i])), JSON.stringify(eager.nodes), `command set ${key}`);
  }
});

test('lazy and eager parsers agree on command lines, errors included', async () => {
  const lines = [
    ['run', '--rm', '-it', '--network', 'none', '-e', 'A=1', '--name=x', 'img', 'sh', '-c', 'echo --rm'],
    ['run', '-d', '-p', '8080:80', '--env-file', 'f', 'img'],
    ['run', '--nosuchflag', 'img'],
    ['run'],
    ['run', '--help'],
    ['container', 'run', '--rm', 'img', 'true'],
    ['container', 'ls', '-a', '--format', '{{.ID}}'],
    ['ps', '-a', '-q', '--filter', 'status=exited'],
    ['network', 'create', '--subnet', '10.1.0.0/24', 'n1'],
    ['image', 'nosuch'],
    ['volume', 'ls', '-q'],
  ];
  const outcome = (cli: Cli<never>, args: string[]): string => {
    try {
      const c = cli.process(args, {} as never) as unknown as Record<string, unknown>;
      return JSON.stringify({ cls: c.constructor.name, ...Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'context' && k !== 'cli' && k !== 'path')) });
    } catch (err) {
      return `error ${(err as Error).name}: ${(err as Error).message}`;
    }
  };
  for (const args of lines) {
    const key = args[0]!;
    const eager = await makeCli(key) as unknown as Cli<never>;
    const lazy = await makeCli(key) as unknown as Cli<never>;
    useLazyMachine(lazy);
    assert.equal(outcome(lazy, args), outcome(eager, args), args.join(' '));
  }
});

test('a kept machine (JSON in the user cache) parses as the one built; a damaged one is built again', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsman-machine-'));
  try {
    const file = path.join(dir, 'machine-x-run.json');
    const args = ['run', '--rm', '-it', '--network', 'none', '-e', 'A=1', '--name=x', 'img', 'sh', '-c', 'echo --rm'];
    const parse = async (): Promise<string> => {
      const cli = await makeCli('run') as unknown as Cli<never>;
      useLazyMachine(cli, file);
      const c = cli.process(args, {} as never) as unknown as Record<string, unknown>;
      return JSON.stringify(Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'context' && k !== 'cli')));
    };
    const built = await parse();
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number; nodes: string[] };
    const cli = await makeCli('run') as unknown as Cli<never>;
    // written before any node was folded: the unsimplified machine, node for node
    assert.equal(kept.version, 2);
    assert.equal(JSON.stringify(kept.nodes.map((n) => JSON.parse(n) as unknown)), JSON.stringify(core.makeAnyOfMachine(buildersOf(cli).map((b) => b.compile().machine)).nodes));
    assert.equal(await parse(), built);
    // a damaged file is built again; a damaged node is taken from the commands
    fs.writeFileSync(file, '{"nodes": [1, 2');
    assert.equal(await parse(), built);
    assert.ok(JSON.parse(fs.readFileSync(file, 'utf8')).nodes.length > 2, 'rewritten');
    const again = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number; nodes: string[] };
    again.nodes = again.nodes.map((n, i) => (i > 2 ? '{"not": "a node"' : n));
    fs.writeFileSync(file, JSON.stringify(again));
    assert.equal(await parse(), built);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
