import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { loadConfigSync, storageOption, storageOptions, type ConfigOverrides, type HostOptions } from '../../src/config/index.js';
import { defaultContainersConf, SCHEMA, shippedContainersConfPath } from '../../src/config/containersconf.js';
import { resolvePaths } from '../../src/config/paths.js';
import { TsmanError } from '../../src/errors.js';
import { resolvePullName, recordAlias, aliasValue } from '../../src/image/shortnames.js';

const IS_ROOT = process.geteuid!() === 0;
/** the simulated rootless user: a made-up uid when we are root (we can chown to it), else ourselves */
const USER = IS_ROOT ? 54321 : process.geteuid!();

const tempDirs: string[] = [];
after(() => { for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true }); });

/** A fake host: a system root for /etc and /usr/share, a home, a runtime dir owned by the user. */
function fakeHost(files: Record<string, string> = {}, opts: { uid?: number; env?: NodeJS.ProcessEnv } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsman-config-'));
  tempDirs.push(dir);
  const uid = opts.uid ?? USER;
  const home = path.join(dir, 'home');
  const run = path.join(dir, 'run');
  fs.mkdirSync(home);
  fs.mkdirSync(run, { mode: 0o700 });
  if (IS_ROOT) fs.chownSync(run, uid, uid);
  for (const [name, text] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  const env: NodeJS.ProcessEnv = { HOME: home, XDG_RUNTIME_DIR: run, ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const host: HostOptions = { env, uid, sysRoot: dir, tmpDir: dir, shippedConf: null, cgroup2: true };
  const load = (overrides: ConfigOverrides = {}) => loadConfigSync(overrides, host);
  return { dir, home, run, host, env, load, p: (name: string) => path.join(dir, name) };
}

function throwsConfig(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TsmanError, String(err));
    assert.equal(err.code, 'ECONFIG');
    assert.match(err.message, re);
    return true;
  });
}

describe('paths', () => {
  test('root uses /run and XDG dirs from the environment', () => {
    const h = fakeHost({}, { uid: 0, env: { XDG_CONFIG_HOME: '/cfg', XDG_DATA_HOME: '/data' } });
    const p = resolvePaths(h.host);
    assert.equal(p.rootless, false);
    assert.equal(p.runtimeDir, '/run');
    assert.equal(p.configHome, '/cfg');
    assert.equal(p.userConfigDir, '/cfg/containers');
    assert.equal(p.dataHome, '/data');
  });

  test('rootless uses an owned XDG_RUNTIME_DIR, else creates tsman-run-<uid>', () => {
    const h = fakeHost();
    const p = resolvePaths(h.host);
    assert.equal(p.rootless, true);
    assert.equal(p.runtimeDir, fs.realpathSync(h.run));
    assert.equal(p.configHome, path.join(h.home, '.config'));
    assert.equal(p.dataHome, path.join(h.home, '.local/share'));

    const fallback = path.join(h.dir, `tsman-run-${USER}`);
    if (IS_ROOT) {
      fs.chownSync(h.run, 0, 0); // someone else's: unusable
      fs.mkdirSync(fallback, { mode: 0o700 });
      fs.chownSync(fallback, USER, USER);
    } else {
      h.env.XDG_RUNTIME_DIR = path.join(h.dir, 'missing');
    }
    assert.equal(resolvePaths(h.host).runtimeDir, fallback);
    assert.equal((fs.statSync(fallback).mode & 0o777), 0o700);
    fs.chmodSync(fallback, 0o777);
    throwsConfig(() => resolvePaths(h.host), /tsman-run-\d+` is not a directory owned by uid/);
  });
});

describe('containers.conf', () => {
  test('defaults when no file exists', () => {
    const c = fakeHost().load();
    assert.equal(c.containers.pids_limit, 2048);
    assert.equal(c.containers.log_driver, 'k8s-file');
    assert.equal(c.containers.default_capabilities.length, 11);
    assert.ok(c.containers.default_capabilities.every((x) => x.startsWith('CAP_')));
    assert.equal(c.engine.runtime, '');
    assert.equal(c.engine.stop_timeout, 10);
    assert.equal(c.engine.pull_policy, 'missing');
    assert.equal(c.network.default_subnet, '10.88.0.0/16');
    assert.equal(c.network.default_network, 'podman');
    assert.deepEqual(c.files, []);
  });

  test('search order: vendor, /etc, drop-ins by name, user files (rootless), override last', () => {
    const files = {
      'usr/share/containers/containers.conf': '[containers]\npids_limit = 1\ntz = "Europe/Paris"\n',
      'etc/containers/containers.conf': '[containers]\npids_limit = 2\nlog_driver = "journald"\n',
      'etc/containers/containers.conf.d/20-b.conf': '[containers]\npids_limit = 4\n',
      'etc/containers/containers.conf.d/10-a.conf': '[containers]\npids_limit = 3\numask = "0077"\n',
      'etc/containers/containers.conf.d/ignored.txt': '[containers]\npids_limit = 99\n',
      'home/.config/containers/containers.conf': '[containers]\npids_limit = 5\n',
      'home/.config/containers/containers.conf.d/x.conf': '[engine]\nstop_timeout = 7\n',
      'override.conf': '[engine]\nstop_timeout = 8\n',
    };
    const h = fakeHost(files);
    let c = h.load();
    assert.equal(c.containers.pids_limit, 5);
    assert.equal(c.containers.tz, 'Europe/Paris');
    assert.equal(c.containers.log_driver, 'journald');
    assert.equal(c.containers.umask, '0077');
    assert.equal(c.engine.stop_timeout, 7);
    assert.deepEqual(c.files.map((f) => path.relative(h.dir, f)), [
      'usr/share/containers/containers.conf', 'etc/containers/containers.conf',
      'etc/containers/containers.conf.d/10-a.conf', 'etc/containers/containers.conf.d/20-b.conf',
      'home/.config/containers/containers.conf', 'home/.config/containers/containers.conf.d/x.conf',
    ]);
    h.env.CONTAINERS_CONF_OVERRIDE = h.p('override.conf');
    assert.equal(h.load().engine.stop_timeout, 8);

    // root never reads the user's files
    const r = fakeHost(files, { uid: 0 }).load();
    assert.equal(r.containers.pids_limit, 4);
    assert.equal(r.engine.stop_timeout, 10);
  });

  test('CONTAINERS_CONF replaces the chain, but not the shipped defaults', () => {
    const h = fakeHost({
      'etc/containers/containers.conf': '[containers]\npids_limit = 2\n',
      'only.conf': '[containers]\ntz = "UTC"\n',
      'shipped.conf': '[containers]\ninit = true\ntz = "Asia/Tokyo"\n',
    }, { env: {} });
    h.host.shippedConf = h.p('shipped.conf');
    h.env.CONTAINERS_CONF = h.p('only.conf');
    const c = h.load();
    assert.equal(c.containers.pids_limit, 2048);
    assert.equal(c.containers.tz, 'UTC');
    assert.equal(c.containers.init, true);
    assert.deepEqual(c.files.slice(0, 2), [h.p('shipped.conf'), h.p('only.conf')]);
    h.env.CONTAINERS_CONF = h.p('nope.conf');
    throwsConfig(() => h.load(), /CONTAINERS_CONF file `.*nope\.conf`: ENOENT/);
  });

  test('tables merge, arrays replace, unknown keys and sections are ignored', () => {
    const c = fakeHost({
      'etc/containers/containers.conf': [
        '[containers]', 'default_capabilities = ["chown", "CAP_KILL"]', 'no_such_key = 1', 'env = ["A=1"]',
        '[engine]', 'pull_policy = "IfNotPresent"', '[engine.runtimes]', 'runc = ["/opt/runc"]', 'youki = ["/opt/youki"]',
        '[engine.volume_plugins]', 'x = "/sock"', '[machine]', 'cpus = 4', '[secrets]', 'driver = "pass"',
        '[network]', 'default_subnet_pools = [{ base = "10.1.0.0/16", size = 24 }]',
      ].join('\n'),
    }).load();
    assert.deepEqual(c.containers.default_capabilities, ['CAP_CHOWN', 'CAP_KILL']);
    assert.deepEqual(c.containers.env, ['A=1']);
    assert.equal(c.engine.pull_policy, 'missing');
    assert.deepEqual(c.engine.runtimes.runc, ['/opt/runc']);
    assert.deepEqual(c.engine.runtimes.youki, ['/opt/youki']);
    assert.ok(c.engine.runtimes.crun!.includes('/usr/bin/crun'));
    assert.deepEqual(c.network.default_subnet_pools, [{ base: '10.1.0.0/16', size: 24 }]);
  });

  test('wrong types and syntax errors name the file', () => {
    const bad = (text: string) => {
      const h = fakeHost({ 'etc/containers/containers.conf': text });
      return () => h.load();
    };
    const file = '.*/etc/containers/containers\\.conf';
    throwsConfig(bad('[containers]\npids_limit = "x"\n'), new RegExp(`^${file}: \\[containers\\] pids_limit: expected integer, got string$`));
    throwsConfig(bad('[containers]\npids_limit = 1.5\n'), /pids_limit: expected integer, got float/);
    throwsConfig(bad('[containers]\nenv = ["A=1", 2]\n'), /\[containers\] env: expected array of strings, got array containing integer/);
    throwsConfig(bad('[engine]\nstop_timeout = -1\n'), /stop_timeout: expected non-negative integer, got negative integer/);
    throwsConfig(bad('[engine.runtimes]\nrunc = "/x"\n'), /\[engine\] runtimes\.runc: expected array of strings, got string/);
    throwsConfig(bad('containers = 3\n'), /\[containers\]: expected table, got integer/);
    throwsConfig(bad('[engine]\npull_policy = "sometimes"\n'), /pull_policy: invalid value "sometimes"/);
    throwsConfig(bad('[containers]\n\npids_limit = = 3\n'), new RegExp(`^${file}:3:\\d+: invalid toml`));
  });

  test('values podman refuses: ulimits, dns servers, subnets, time zone, sizes, relative paths', () => {
    const bad = (text: string) => {
      const h = fakeHost({ 'etc/containers/containers.conf': text });
      return () => h.load();
    };
    const file = '.*/etc/containers/containers\\.conf';
    throwsConfig(bad('[containers]\ndns_servers = ["1.1.1.1", "nonsense"]\n'),
      new RegExp(`^${file}: \\[containers\\] dns_servers: nonsense is not an ip address$`));
    throwsConfig(bad('[containers]\ndns_servers = ["1.2.3"]\n'), /1\.2\.3 is not an ip address/);
    throwsConfig(bad('[network]\ndefault_subnet = "nonsense"\n'), /\[network\] default_subnet: failed to parse default subnet: invalid CIDR address: nonsense$/);
    throwsConfig(bad('[network]\ndefault_subnet = "10.88.0.0/33"\n'), /invalid CIDR address: 10\.88\.0\.0\/33$/);
    throwsConfig(bad('[network]\ndefault_subnet_pools = [{ base = "10.1.0.0", size = 24 }]\n'), /default_subnet_pools: \[0\] base: invalid CIDR address: 10\.1\.0\.0$/);
    throwsConfig(bad('[containers]\ndefault_ulimits = ["bogus"]\n'), /default_ulimits: unrecognized ulimit bogus: invalid ulimit argument: bogus$/);
    throwsConfig(bad('[containers]\ndefault_ulimits = ["foo=1:2"]\n'), /unrecognized ulimit foo=1:2: invalid ulimit type: foo$/);
    throwsConfig(bad('[containers]\ndefault_ulimits = ["nofile=1024:512"]\n'), /ulimit soft limit must be less than or equal to hard limit: 1024 > 512$/);
    throwsConfig(bad('[containers]\ndefault_ulimits = ["nofile=x"]\n'), /strconv\.ParseInt: parsing "x": invalid syntax$/);
    throwsConfig(bad('[containers]\ntz = "Nowhere/City"\n'), /tz: find timezone Nowhere\/City in paths: \/usr\/share\/zoneinfo, \/etc\/zoneinfo$/);
    throwsConfig(bad('[containers]\nshm_size = "lots"\n'), /shm_size: invalid --shm-size lots/);
    throwsConfig(bad('[containers]\nlog_size_max = 100\n'), /log size max should be negative or >= 8192$/);
    throwsConfig(bad('[engine]\nstatic_dir = "rel"\n'), /static directory must be an absolute path - instead got "rel"$/);
    throwsConfig(bad('[engine]\ntmp_dir = "rel"\n'), /temporary directory must be an absolute path - instead got "rel"$/);
    throwsConfig(bad('[engine]\nvolume_path = "rel"\n'), /volume path must be an absolute path - instead got "rel"$/);
    // and what podman accepts
    const ok = fakeHost({
      'etc/containers/containers.conf': [
        '[containers]', 'dns_servers = ["1.1.1.1", "fd00::1"]', 'default_ulimits = ["nofile=1024:2048", "core=-1", "nproc=10:-1"]',
        'tz = "Asia/Tokyo"', 'shm_size = "128m"', 'log_size_max = 8192',
        '[network]', 'default_subnet = "10.50.0.0/16"', '[engine]', 'static_dir = "/abs"',
      ].join('\n'),
    }).load();
    assert.deepEqual(ok.containers.default_ulimits, ['nofile=1024:2048', 'core=-1', 'nproc=10:-1']);
    assert.equal(ok.containers.tz, 'Asia/Tokyo');
    assert.equal(fakeHost({ 'etc/containers/containers.conf': '[containers]\ntz = "local"\n' }).load().containers.tz, 'local');
  });

  test('keys tsman reads but does not use are accepted with their types', () => {
    const c = fakeHost({
      'etc/containers/containers.conf': [
        '[engine]', 'cgroup_manager = "systemd"', 'compat_api_enforce_docker_hub = false', 'events_logger = "none"',
        'image_default_transport = "docker://"', 'infra_image = "k8s.gcr.io/pause:3.5"', 'num_locks = 4096', 'tmp_dir = "/run/elsewhere"',
        '[network]', 'cni_plugin_dirs = ["/opt/cni"]', 'network_backend = "cni"',
      ].join('\n'),
    }).load();
    assert.deepEqual([c.engine.cgroup_manager, c.engine.events_logger, c.engine.num_locks, c.engine.tmp_dir, c.network.network_backend],
      ['systemd', 'none', 4096, '/run/elsewhere', 'cni']);
    const bad = (text: string) => {
      const h = fakeHost({ 'etc/containers/containers.conf': text });
      return () => h.load();
    };
    throwsConfig(bad('[engine]\nnum_locks = "many"\n'), /num_locks: expected non-negative integer, got string/);
    throwsConfig(bad('[engine]\nevents_logger = "syslog"\n'), /events_logger: invalid value "syslog"/);
    throwsConfig(bad('[network]\ncni_plugin_dirs = "/opt/cni"\n'), /cni_plugin_dirs: expected array of strings, got string/);
  });

  test('docs/containers-conf.md: every key once, with what tsman does and a test that exists', () => {
    const root = path.dirname(path.dirname(shippedContainersConfPath()));
    const doc = fs.readFileSync(path.join(path.dirname(shippedContainersConfPath()), 'docs/containers-conf.md'), 'utf8');
    void root;
    const rows = new Map<string, string[]>();
    for (const line of doc.split('\n')) {
      const m = /^\| `\[(\w+)\] (\w+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/.exec(line);
      if (!m) continue;
      const key = `[${m[1]}] ${m[2]}`;
      assert.ok(!rows.has(key), `${key} listed twice`);
      rows.set(key, [m[3]!.trim(), m[4]!.trim(), m[5]!.trim()]);
    }
    const unitText = fs.readFileSync(new URL(import.meta.url).pathname.replace(/dist\/test\/unit\/config\.test\.js$/, 'test/unit/config.test.ts'), 'utf8');
    const batsDir = path.join(path.dirname(shippedContainersConfPath()), 'test/bats');
    const batsFiles = fs.readdirSync(batsDir).filter((f) => f.endsWith('.bats'));
    for (const [section, schema] of Object.entries(SCHEMA)) {
      for (const key of Object.keys(schema)) {
        const row = rows.get(`[${section}] ${key}`);
        assert.ok(row, `docs/containers-conf.md does not list [${section}] ${key}`);
        assert.ok(['honoured', 'not used'].includes(row[0]!), `[${section}] ${key}: ${row[0]}`);
        const t = /^(unit|\d{3}): "(.+)"$/.exec(row[2]!);
        assert.ok(t, `[${section}] ${key}: test ${row[2]}`);
        if (t[1] === 'unit') assert.ok(unitText.includes(`test('${t[2]}'`), `no unit test '${t[2]}'`);
        else {
          const file = batsFiles.find((f) => f.startsWith(`${t[1]}-`));
          assert.ok(file && fs.readFileSync(path.join(batsDir, file), 'utf8').includes(`@test "${t[2]}"`), `no test ${t[1]}: "${t[2]}"`);
        }
      }
    }
    assert.equal(rows.size, Object.values(SCHEMA).reduce((n, s) => n + Object.keys(s).length, 0), 'rows for keys the schema does not have');
  });

  test('the shipped containers.conf documents every key with its default', () => {
    const text = fs.readFileSync(shippedContainersConfPath(), 'utf8');
    // uncomment "#key = value" lines and the continuation lines of commented arrays
    let depth = 0;
    const code = text.split('\n').map((line) => {
      const body = line.startsWith('#') ? line.slice(1) : line;
      const isCode = !line.startsWith('#') || depth > 0 || /^[a-z_]+ = /.test(body);
      if (!isCode) return '';
      depth += (body.match(/\[/g) ?? []).length - (body.match(/\]/g) ?? []).length;
      if (/^\s*\[[a-z.]+\]\s*$/.test(body)) depth = 0;
      return body;
    }).join('\n');
    const doc = JSON.parse(JSON.stringify(parseToml(code))) as Record<string, Record<string, unknown>>;
    const defaults = defaultContainersConf({ cgroup2: true }) as unknown as Record<string, Record<string, unknown>>;
    for (const [section, schema] of Object.entries(SCHEMA)) {
      for (const key of Object.keys(schema)) {
        assert.ok(key in doc[section]!, `containers.conf does not document [${section}] ${key}`);
        assert.deepEqual(doc[section]![key], defaults[section]![key], `[${section}] ${key}`);
      }
    }
    // and reading it changes nothing
    const h = fakeHost();
    h.host.shippedConf = shippedContainersConfPath();
    const c = h.load();
    assert.equal(c.files[0], shippedContainersConfPath());
    assert.deepEqual(c.containers.default_capabilities, fakeHost().load().containers.default_capabilities);
  });
});

describe('registries.conf', () => {
  const V2 = [
    'unqualified-search-registries = ["docker.io", "quay.io"]',
    'short-name-mode = "enforcing"',
    '[[registry]]', 'location = "docker.io"',
    '[[registry.mirror]]', 'location = "mirror.local:5000/hub"', 'insecure = true',
    '[[registry.mirror]]', 'location = "digests.local"', 'pull-from-mirror = "digest-only"',
    '[[registry]]', 'prefix = "example.com/team"', 'location = "internal.example.com/team"',
    '[[registry]]', 'location = "example.com"', 'insecure = true',
    '[[registry]]', 'prefix = "*.corp.example"', 'location = "proxy.corp.example/all"',
    '[[registry]]', 'location = "evil.io"', 'blocked = true',
    '[aliases]', '"fedora" = "registry.fedoraproject.org/fedora"', '"alpine" = "docker.io/alpine"',
  ].join('\n');

  test('longest prefix match, wildcards, insecure and blocked', () => {
    const { registries: r } = fakeHost({ 'etc/containers/registries.conf': V2 }).load();
    assert.equal(r.shortNameMode, 'enforcing');
    assert.equal(r.findRegistry('example.com/team/app:1')!.location, 'internal.example.com/team');
    assert.equal(r.findRegistry('example.com/other/app')!.location, 'example.com');
    assert.equal(r.findRegistry('example.community/app'), undefined);
    assert.equal(r.findRegistry('a.b.corp.example/x')!.prefix, '*.corp.example');
    assert.equal(r.findRegistry('corp.example/x'), undefined);
    assert.equal(r.findRegistry('x/a.corp.example/y'), undefined);
    assert.equal(r.isInsecure('example.com'), true);
    assert.equal(r.isInsecure('docker.io'), false);
    assert.equal(r.isBlocked('evil.io/x'), true);
    assert.throws(() => r.pullSources('evil.io/x:1'), (e: unknown) => e instanceof TsmanError && e.code === 'EREGISTRY');
  });

  test('pull sources: mirrors first, rewritten by prefix', () => {
    const { registries: r } = fakeHost({ 'etc/containers/registries.conf': V2 }).load();
    assert.deepEqual(r.pullSources('docker.io/library/busybox:latest'), [
      { location: 'mirror.local:5000/hub/library/busybox:latest', insecure: true, mirror: true },
      { location: 'docker.io/library/busybox:latest', insecure: false, mirror: false },
    ]);
    const dg = 'docker.io/library/busybox@sha256:' + 'a'.repeat(64);
    assert.deepEqual(r.pullSources(dg).map((s) => s.location), [
      'mirror.local:5000/hub/library/busybox@sha256:' + 'a'.repeat(64),
      'digests.local/library/busybox@sha256:' + 'a'.repeat(64),
      dg,
    ]);
    assert.deepEqual(r.pullSources('example.com/team/app:1'), [{ location: 'internal.example.com/team/app:1', insecure: false, mirror: false }]);
    assert.equal(r.pullSources('x.corp.example/img:2')[0]!.location, 'proxy.corp.example/all/img:2');
    assert.deepEqual(r.pullSources('ghcr.io/a/b:1'), [{ location: 'ghcr.io/a/b:1', insecure: false, mirror: false }]);
  });

  test('mirror-by-digest-only limits mirrors to digests', () => {
    const { registries: r } = fakeHost({
      'etc/containers/registries.conf': '[[registry]]\nlocation = "quay.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.local"\n',
    }).load();
    assert.equal(r.pullSources('quay.io/a/b:1').length, 1);
    assert.equal(r.pullSources('quay.io/a/b@sha256:' + '0'.repeat(64)).length, 2);
  });

  test('short names: aliases, then search registries; docker.io gains library/', () => {
    const { registries: r } = fakeHost({ 'etc/containers/registries.conf': V2 }).load();
    assert.deepEqual(r.resolveShortName('busybox').candidates, ['docker.io/library/busybox', 'quay.io/busybox']);
    assert.deepEqual(r.resolveShortName('busybox:1.36').candidates, ['docker.io/library/busybox:1.36', 'quay.io/busybox:1.36']);
    assert.deepEqual(r.resolveShortName('me/app').candidates, ['docker.io/me/app', 'quay.io/me/app']);
    assert.deepEqual(r.resolveShortName('fedora:39'), {
      candidates: ['registry.fedoraproject.org/fedora:39'], alias: 'registry.fedoraproject.org/fedora',
      origin: path.join(r.searchRegistriesOrigin),
    });
    assert.equal(r.resolveShortName('alpine').alias, 'docker.io/library/alpine');
    assert.deepEqual(r.resolveShortName('quay.io/x/y:1').candidates, ['quay.io/x/y:1']);
    assert.deepEqual(r.resolveShortName('docker.io/busybox').candidates, ['docker.io/library/busybox']);
    assert.deepEqual(r.resolveShortName('localhost/img').candidates, ['localhost/img']);
  });

  test('no search list configured: no candidates (never a silent docker.io), the file that could set one', () => {
    const { registries: r } = fakeHost().load();
    assert.deepEqual(r.resolveShortName('busybox').candidates, []);
    assert.deepEqual(r.unqualifiedSearchRegistries, []);
    assert.equal(r.searchRegistriesOrigin, '');
    assert.equal(r.shortNameMode, 'permissive');
    const h = fakeHost({ 'etc/containers/registries.conf': '[[registry]]\nlocation = "a.io"\n' });
    assert.equal(h.load().registries.searchRegistriesOrigin, h.p('etc/containers/registries.conf'));
  });

  test('drop-ins merge registries by prefix and aliases by name; the alias cache wins', () => {
    const h = fakeHost({
      'etc/containers/registries.conf': V2,
      'etc/containers/registries.conf.d/000-shortnames.conf': '[aliases]\n"fedora" = ""\n"ubi" = "registry.access.redhat.com/ubi9"\n',
      'etc/containers/registries.conf.d/50-x.conf': 'unqualified-search-registries = ["ghcr.io"]\n[[registry]]\nlocation = "example.com"\ninsecure = false\n',
      'home/.cache/containers/short-name-aliases.conf': '[aliases]\n"ubi" = "quay.io/mine/ubi"\n',
    });
    const c = h.load();
    const r = c.registries;
    assert.equal(r.isInsecure('example.com/x'), false);
    assert.equal(r.findRegistry('docker.io/x')!.mirrors.length, 2);
    assert.deepEqual(r.resolveShortName('busybox').candidates, ['ghcr.io/busybox']);
    assert.equal(r.resolveShortName('fedora').alias, undefined);
    assert.equal(r.resolveShortName('ubi').alias, 'quay.io/mine/ubi');
    assert.equal(r.shortNameMode, 'enforcing');
    assert.ok(c.files.includes(h.p('home/.cache/containers/short-name-aliases.conf')));
  });

  test('a user registries.conf replaces /etc and its drop-in dir', () => {
    const h = fakeHost({
      'etc/containers/registries.conf': 'unqualified-search-registries = ["etc.io"]\n',
      'etc/containers/registries.conf.d/a.conf': '[aliases]\n"x" = "etc.io/x"\n',
      'home/.config/containers/registries.conf': 'unqualified-search-registries = ["user.io"]\n',
      'home/.config/containers/registries.conf.d/b.conf': '[aliases]\n"y" = "user.io/y"\n',
    });
    const r = h.load().registries;
    assert.deepEqual(r.unqualifiedSearchRegistries, ['user.io']);
    assert.equal(r.alias('x'), undefined);
    assert.equal(r.alias('y')!.value, 'user.io/y');
    h.env.CONTAINERS_REGISTRIES_CONF = h.p('etc/containers/registries.conf');
    assert.deepEqual(h.load().registries.unqualifiedSearchRegistries, ['etc.io']);
    h.env.CONTAINERS_REGISTRIES_CONF = h.p('missing.conf');
    throwsConfig(() => h.load().registries, /missing\.conf`: ENOENT/);
  });

  test('v1 format', () => {
    const { registries: r } = fakeHost({
      'etc/containers/registries.conf': '[registries.search]\nregistries = ["docker.io", "quay.io/"]\n[registries.insecure]\nregistries = ["local:5000"]\n[registries.block]\nregistries = ["bad.io"]\n',
    }).load();
    assert.deepEqual(r.unqualifiedSearchRegistries, ['docker.io', 'quay.io']);
    assert.equal(r.isInsecure('local:5000/a'), true);
    assert.equal(r.isBlocked('bad.io/a'), true);
    assert.deepEqual(r.resolveShortName('busybox').candidates, ['docker.io/library/busybox', 'quay.io/busybox']);
  });

  test('invalid files', () => {
    // read when first used (most commands never resolve an image name)
    const bad = (files: Record<string, string>) => () => fakeHost(files).load().registries;
    const main = 'etc/containers/registries.conf';
    throwsConfig(bad({ [main]: 'unqualified-search-registries = ["b.io"]\n[registries.search]\nregistries = ["a.io"]\n' }), /mixing sysregistry v1\/v2/);
    throwsConfig(bad({ [`${main}.d/a.conf`]: '[registries.search]\nregistries = ["a.io"]\n' }), /a\.conf: registry must be in v2 format/);
    throwsConfig(bad({ [main]: '[[registry]]\nprefix = "*.x.io/foo"\nlocation = "y.io"\n' }), /wildcarded prefix/i);
    throwsConfig(bad({ [main]: '[[registry]]\nlocation = "https://x.io"\n' }), /URI schemes are not supported/);
    throwsConfig(bad({ [main]: 'short-name-mode = "sometimes"\n' }), /invalid short-name mode/);
    throwsConfig(bad({ [main]: '[[registry]]\nlocation = "x.io"\ninsecure = "yes"\n' }), /insecure: expected boolean, got string/);
    throwsConfig(bad({ [main]: '[aliases]\n"a" = "noregistry"\n' }), /invalid alias "noregistry"/);
    throwsConfig(bad({ [main]: 'unqualified-search-registries = [\n' }), /registries\.conf:\d+:\d+: invalid toml/);
  });
});

describe('short-name resolution (pkg/shortnames)', () => {
  const conf = (mode: string, search = '["a.io", "b.io"]') => fakeHost({
    'etc/containers/registries.conf': `unqualified-search-registries = ${search}\nshort-name-mode = "${mode}"\n[aliases]\n"al" = "c.io/team/al"\n`,
  });
  const names = (r: { candidates: Array<{ name: string }> }) => r.candidates.map((c) => c.name);
  const never = async (): Promise<string> => { throw new Error('prompted'); };

  test('aliases and search lists, with podman\'s description line', async () => {
    const h = conf('enforcing');
    const r = h.load().registries;
    const file = h.p('etc/containers/registries.conf');
    let res = await resolvePullName(r, 'al:2', { tty: false });
    assert.deepEqual(names(res), ['c.io/team/al:2']);
    assert.equal(res.description, `Resolved "al" as an alias (${file})`);
    res = await resolvePullName(r, 'q.io/x/y:1', { tty: false, choose: never });
    assert.deepEqual([names(res), res.description], [['q.io/x/y:1'], undefined]);
    // one search registry: no ambiguity, even when enforcing without a terminal
    res = await resolvePullName(conf('enforcing', '["a.io"]').load().registries, 'x', { tty: false });
    assert.deepEqual(names(res), ['a.io/x:latest']);
    assert.match(res.description!, /^Resolving "x" using unqualified-search registries \(.*registries\.conf\)$/);
  });

  test('several candidates: permissive tries them in order, enforcing refuses without a terminal', async () => {
    const perm = await resolvePullName(conf('permissive').load().registries, 'me/app:1', { tty: false, choose: never });
    assert.deepEqual(names(perm), ['a.io/me/app:1', 'b.io/me/app:1']);
    const dis = await resolvePullName(conf('disabled').load().registries, 'app', { tty: true, choose: never });
    assert.deepEqual(names(dis), ['a.io/app:latest', 'b.io/app:latest']);
    await assert.rejects(resolvePullName(conf('enforcing').load().registries, 'app', { tty: false }),
      (e: unknown) => e instanceof TsmanError && e.message === 'short-name resolution enforced but cannot prompt without a TTY');
  });

  test('on a terminal the user picks one, recorded in the alias cache after the pull', async () => {
    const h = conf('enforcing');
    let offered: string[] = [];
    const res = await resolvePullName(h.load().registries, 'me/app:1', { tty: true, choose: async (_l, items) => { offered = items; return items[1]!; } });
    assert.deepEqual(offered, ['a.io/me/app:1', 'b.io/me/app:1']);
    assert.deepEqual(res.candidates, [{ name: 'b.io/me/app:1', record: true }]);
    assert.equal(res.shortRepo, 'me/app');
    const cache = resolvePaths(h.host).shortNameAliasesFile;
    await recordAlias(cache, 'me/app', aliasValue('b.io/me/app:1'));
    await recordAlias(cache, 'other', 'b.io/other');
    const again = await resolvePullName(h.load().registries, 'me/app:2', { tty: true, choose: never });
    assert.deepEqual(names(again), ['b.io/me/app:2']);
    assert.equal(again.description, `Resolved "me/app" as an alias (${cache})`);
    assert.match(fs.readFileSync(cache, 'utf8'), /^\[aliases\]\n {2}"me\/app" = "b\.io\/me\/app"\n {2}"other" = "b\.io\/other"\n$/);
  });

  test('no search registries: podman\'s errors', async () => {
    const h = fakeHost({ 'etc/containers/registries.conf': '[[registry]]\nlocation = "a.io"\n' });
    await assert.rejects(resolvePullName(h.load().registries, 'busyboxx', { tty: false }), (e: unknown) => e instanceof TsmanError
      && e.message === `short-name "busyboxx" did not resolve to an alias and no unqualified-search registries are defined in "${h.p('etc/containers/registries.conf')}"`);
    await assert.rejects(resolvePullName(fakeHost().load().registries, 'busyboxx:1', { tty: false }), (e: unknown) => e instanceof TsmanError
      && e.message === 'short-name "busyboxx:1" did not resolve to an alias and no containers-registries.conf(5) was found');
  });
});

describe('storage.conf', () => {
  test('root defaults and /etc/containers/storage.conf', () => {
    let c = fakeHost({}, { uid: 0 }).load();
    assert.deepEqual(c.storage, { driver: '', graphroot: '/var/lib/containers/storage', runroot: '/run/containers/storage', rootlessStoragePath: '', options: [] });
    const h = fakeHost({
      'usr/share/containers/storage.conf': '[storage]\ndriver = "vfs"\n',
      'etc/containers/storage.conf': [
        '[storage]', 'driver = "overlay"', 'graphroot = "/srv/graph"', 'runroot = "/run/x"',
        '[storage.options]', 'additionalimagestores = ["/ro/store"]', 'mount_program = "/top/fuse"',
        '[storage.options.overlay]', 'mount_program = "/usr/bin/fuse-overlayfs"', 'mountopt = "nodev"',
      ].join('\n'),
    }, { uid: 0 });
    c = h.load();
    assert.equal(c.storage.driver, 'overlay');
    assert.equal(c.storage.graphroot, '/srv/graph');
    assert.equal(c.storage.runroot, '/run/x');
    assert.equal(storageOption(c.storage.options, 'mount_program'), '/usr/bin/fuse-overlayfs');
    assert.equal(storageOption(c.storage.options, 'mountopt'), 'nodev');
    assert.deepEqual(storageOptions(c.storage.options, 'imagestore'), ['/ro/store']);
    assert.deepEqual(c.files, [h.p('etc/containers/storage.conf')]);
  });

  test('rootless: /etc supplies rootless_storage_path and the driver, never graphroot', () => {
    let h = fakeHost();
    let c = h.load();
    assert.equal(c.storage.graphroot, path.join(h.home, '.local/share/containers/storage'));
    assert.equal(c.storage.runroot, path.join(fs.realpathSync(h.run), 'containers'));
    assert.equal(c.storage.driver, '');

    h = fakeHost({
      'etc/containers/storage.conf': '[storage]\ndriver = "overlay"\ngraphroot = "/var/lib/x"\nrunroot = "/run/x"\nrootless_storage_path = "$HOME/store/$UID"\n[storage.options.overlay]\nmountopt = "nodev"\nignore_chown_errors = "true"\n',
    }, { env: { XDG_DATA_HOME: '/data' } });
    c = h.load();
    assert.equal(c.storage.graphroot, path.join(h.home, `store/${USER}`));
    assert.equal(c.storage.runroot, path.join(fs.realpathSync(h.run), 'containers'));
    assert.equal(c.storage.driver, 'overlay');
    assert.deepEqual(c.storage.options, ['overlay.ignore_chown_errors=true']);

    // a user storage.conf replaces the system options; empty roots fall back to the defaults
    fs.mkdirSync(path.join(h.home, '.config/containers'), { recursive: true });
    fs.writeFileSync(path.join(h.home, '.config/containers/storage.conf'), '[storage]\ndriver = "vfs"\nrunroot = "/tmp/rr"\n');
    c = h.load();
    assert.equal(c.storage.driver, 'vfs');
    assert.equal(c.storage.runroot, fs.realpathSync('/tmp') + '/rr');
    assert.equal(c.storage.graphroot, path.join(h.home, `store/${USER}`));
    assert.deepEqual(c.storage.options, []);
    assert.equal(c.files.length, 2);

    // XDG_DATA_HOME is honoured when nothing else sets the graphroot
    c = fakeHost({}, { env: { XDG_DATA_HOME: '/data' } }).load();
    assert.equal(c.storage.graphroot, '/data/containers/storage');
  });

  test('CONTAINERS_STORAGE_CONF, STORAGE_DRIVER and the CLI flags', () => {
    const h = fakeHost({ 'mine.conf': '[storage]\ndriver = "overlay2"\ngraphroot = "/g"\n[storage.options]\nmount_program = "/fuse"\n' });
    h.env.CONTAINERS_STORAGE_CONF = h.p('mine.conf');
    let c = h.load();
    assert.equal(c.storage.driver, 'overlay');
    assert.equal(c.storage.graphroot, '/g');
    assert.deepEqual(c.storage.options, ['overlay.mount_program=/fuse']);
    h.env.STORAGE_DRIVER = 'vfs';
    assert.equal(h.load().storage.driver, 'vfs');
    c = h.load({ root: '/r', runroot: '/rr', storageDriver: 'btrfs', storageOpts: [''] });
    assert.deepEqual([c.storage.graphroot, c.storage.runroot, c.storage.driver, c.storage.options], ['/r', '/rr', 'btrfs', []]);
    assert.equal(c.engine.static_dir, '/r/tsman');
    assert.equal(c.engine.volume_path, '/r/tsman/volumes');
    assert.equal(c.network.network_config_dir, '/r/tsman/networks');
    assert.equal(c.engine.tmp_dir, path.join(fs.realpathSync(h.run), 'tsman/tmp'));
    throwsConfig(() => fakeHost({ 'etc/containers/storage.conf': '[storage]\ngraphroot = 1\n' }, { uid: 0 }).load(), /\[storage\] graphroot: expected string, got integer/);
  });

  test('relative roots are refused unless --root/--runroot replace them', () => {
    // an existing relative directory too: realpath must not quietly make it absolute
    const cwd = process.cwd();
    const root = fakeHost({ 'etc/containers/storage.conf': '[storage]\ngraphroot = "g"\nrunroot = "/run/x"\n', 'g/.keep': '' }, { uid: 0 });
    process.chdir(root.dir);
    try {
      throwsConfig(() => root.load(), /^.*\/etc\/containers\/storage\.conf: graphroot must be an absolute path - instead got "g"$/);
      assert.equal(root.load({ root: '/abs' }).storage.graphroot, '/abs');
    } finally {
      process.chdir(cwd);
    }
    const rr = fakeHost({ 'etc/containers/storage.conf': '[storage]\nrunroot = "run/here"\n' }, { uid: 0 });
    throwsConfig(() => rr.load(), /storage\.conf: runroot must be an absolute path - instead got "run\/here"$/);
    assert.equal(rr.load({ runroot: '/rr' }).storage.runroot, '/rr');
    // rootless: the user's file, and /etc's rootless_storage_path
    const user = fakeHost({ 'home/.config/containers/storage.conf': '[storage]\ngraphroot = "$UID/graph"\n' });
    throwsConfig(() => user.load(), /storage\.conf: graphroot must be an absolute path - instead got "\$UID\/graph"$/);
    const rsp = fakeHost({ 'etc/containers/storage.conf': '[storage]\nrootless_storage_path = "store"\n' });
    throwsConfig(() => rsp.load(), /rootless_storage_path must be an absolute path - instead got "store"$/);
    // variables that expand to an absolute path are fine
    assert.equal(fakeHost({ 'home/.config/containers/storage.conf': '[storage]\ngraphroot = "$HOME/g"\n' }).load().storage.graphroot.endsWith('/home/g'), true);
  });
});
