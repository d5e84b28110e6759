import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { existsSync, promises as fsp } from 'node:fs';
import { findTool, systemTool, toolDirs, toolEnv } from '../../src/util/systool.js';
import { runIn, mustRunIn } from '../../src/network/netns.js';
import { TsmanError } from '../../src/errors.js';

// a Debian login user's PATH (/etc/profile for uid != 0): no sbin directory at all
const LOGIN_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games';

let dir: string;
before(async () => { dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tsman-systool-test-')); });
after(async () => { await fsp.rm(dir, { recursive: true, force: true }); });

describe('system tools outside a login user\'s PATH', () => {
  it('finds sbin tools with a PATH that has no sbin (nft, sysctl)', (t) => {
    const env = { PATH: LOGIN_PATH };
    for (const tool of ['nft', 'sysctl']) {
      const where = ['/usr/sbin', '/sbin'].map((d) => path.join(d, tool)).find((p) => existsSync(p));
      if (!where) { t.diagnostic(`${tool} is not installed`); continue; }
      const p = findTool(tool, env);
      assert.ok(p && p.endsWith(`/${tool}`) && /\/sbin\//.test(p), `${tool}: ${p}`);
    }
  });

  it('searches PATH first, then the standard directories; relative PATH entries are skipped', () => {
    assert.deepEqual(toolDirs({ PATH: `/opt/x/bin:.:bin:${LOGIN_PATH}` }).slice(0, 8), [
      '/opt/x/bin', '/usr/local/bin', '/usr/bin', '/bin', '/usr/local/games', '/usr/games', '/usr/local/sbin', '/usr/sbin',
    ]);
    assert.match(toolEnv({ PATH: LOGIN_PATH }).PATH!, /:\/usr\/sbin:/);
  });

  it('a tool that is nowhere is podman\'s "executable file not found", with the package to install', () => {
    assert.throws(() => systemTool('tsman-no-such-tool', { PATH: LOGIN_PATH }), (e: unknown) =>
      e instanceof TsmanError && /^exec: "tsman-no-such-tool": executable file not found in \$PATH/.test(e.message));
  });
});

describe('runIn', () => {
  it('a tool that exits without reading its input is its exit status, not an unhandled EPIPE', async () => {
    // more than a pipe holds: the writer must meet the closed pipe
    const input = 'x'.repeat(4 << 20);
    const r = await runIn(undefined, 'sh', ['-c', 'exec 0<&-; echo refused >&2; exit 3'], input);
    assert.equal(r.code, 3);
    assert.equal(r.stderr.trim(), 'refused');
    await assert.rejects(mustRunIn(undefined, 'sh', ['-c', 'exit 4'], input), /sh -c exit 4: exit status 4/);
  });

  it('a missing tool is a rejected promise (no exception thrown at the caller)', async () => {
    const p = runIn(undefined, 'tsman-no-such-tool', []);
    await assert.rejects(p, /executable file not found/);
  });
});
