import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commands } from '../../src/cli/registry.js';
import type { GroupCommand } from '../../src/cli/grouphelp.js';

// each group's listing (`tsman GROUP --help`) names every verb registered under it, and no other
const ALIASES = new Set(['container ls', 'container umount', 'image ls', 'image umount', 'volume list', 'volume remove', 'volume umount', 'network remove']);

for (const group of ['container', 'image', 'system', 'network', 'volume']) {
  test(`tsman ${group} --help lists exactly its verbs`, async () => {
    const entry = commands.find((c) => c.paths.some((p) => p.length === 1 && p[0] === group));
    assert.ok(entry, `a group command for ${group}`);
    const Cls = (await entry.load()) as unknown as typeof GroupCommand;
    const listed = Cls.subcommands.map(([v]) => v);
    assert.deepEqual(listed, [...listed].sort(), 'alphabetical, as podman lists them');
    const registered = new Set<string>();
    for (const c of commands) for (const p of c.paths) {
      if (p.length === 2 && p[0] === group && !ALIASES.has(p.join(' '))) registered.add(p[1]!);
    }
    assert.deepEqual([...registered].sort(), listed);
  });
}
