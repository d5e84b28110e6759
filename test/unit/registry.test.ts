import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commands } from '../../src/cli/registry.js';

test('every registry entry names exactly its command class paths', async () => {
  const seen = new Set<string>();
  for (const e of commands) {
    const cls = await e.load();
    assert.deepEqual(e.paths, cls.paths, `paths of ${cls.name}`);
    for (const p of e.paths) {
      const k = p.join(' ');
      assert.ok(!seen.has(k), `duplicate path ${k}`);
      seen.add(k);
    }
  }
});
