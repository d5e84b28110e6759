import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fsp, existsSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { RegistryClient, parseAuthenticate } from '../../src/image/registry.js';
import { MediaType, ACCEPT_MANIFEST_TYPES } from '../../src/image/mediatypes.js';
import { TsmanError } from '../../src/errors.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); });
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`registry on ${port} did not start`);
}

interface Reg { port: number; host: string; root: string; proc: ChildProcess }

async function startRegistry(dir: string, name: string, extra = ''): Promise<Reg> {
  const port = await freePort();
  const root = path.join(dir, `${name}-data`);
  const cfg = path.join(dir, `${name}.yml`);
  await fsp.writeFile(cfg, `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${root}
http:
  addr: 127.0.0.1:${port}
${extra}`);
  const proc = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore' });
  await waitForPort(port);
  return { port, host: `127.0.0.1:${port}`, root, proc };
}

function blobPath(reg: Reg, digest: string): string {
  const hex = digest.slice(7);
  return path.join(reg.root, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

/** An image: config + one layer + manifest, pushed with our own client. */
async function pushImage(c: RegistryClient, repo: string, tag: string) {
  const layer = randomBytes(3000);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
  await c.putBlob(repo, sha(config), config);
  await c.putBlob(repo, sha(layer), layer);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OCIManifest,
    config: { mediaType: MediaType.OCIConfig, digest: sha(config), size: config.length },
    layers: [{ mediaType: MediaType.OCILayerGzip, digest: sha(layer), size: layer.length }],
  }));
  const digest = await c.putManifest(repo, tag, manifest, MediaType.OCIManifest);
  return { layer, config, manifest, digest };
}

async function rejectsWith(p: Promise<unknown>, code: string, msg: RegExp | string): Promise<TsmanError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof TsmanError, `not a TsmanError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (typeof msg === 'string') assert.equal(err.message, msg);
    else assert.match(err.message, msg);
    return err;
  }
  assert.fail('expected a rejection');
}

let dir: string;
let plain: Reg;
let secure: Reg;
const clients: RegistryClient[] = [];
const servers: http.Server[] = [];
function client(o: ConstructorParameters<typeof RegistryClient>[0]): RegistryClient {
  const c = new RegistryClient({ retryDelayMs: 20, ...o });
  clients.push(c);
  return c;
}

before(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tsman-registry-test-'));
  const q = (f: string) => path.join(dir, f);
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', q('ca.key'), '-out', q('ca.crt'), '-days', '2', '-subj', '/CN=tsman test CA']);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', q('srv.key'), '-out', q('srv.csr'), '-subj', '/CN=127.0.0.1']);
  await fsp.writeFile(q('ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(['x509', '-req', '-in', q('srv.csr'), '-CA', q('ca.crt'), '-CAkey', q('ca.key'), '-CAcreateserial', '-out', q('srv.crt'), '-days', '2', '-extfile', q('ext')]);
  await fsp.writeFile(q('htpasswd'), execFileSync('htpasswd', ['-Bbn', 'user', 'pass']));
  await fsp.mkdir(q('certs'));
  await fsp.copyFile(q('ca.crt'), path.join(q('certs'), 'ca.crt'));
  plain = await startRegistry(dir, 'plain');
  secure = await startRegistry(dir, 'secure', `  tls:
    certificate: ${q('srv.crt')}
    key: ${q('srv.key')}
auth:
  htpasswd:
    realm: tsman-realm
    path: ${q('htpasswd')}
`);
});

after(async () => {
  for (const c of clients) c.close();
  for (const s of servers) s.close();
  plain?.proc.kill();
  secure?.proc.kill();
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

describe('plain http registry', () => {
  it('pushes and pulls manifests and blobs, verifying digests', async () => {
    const c = client({ registry: plain.host, insecure: true });
    const img = await pushImage(c, 'tsman/test', 'v1');
    const m = await c.getManifest('tsman/test', 'v1', [...ACCEPT_MANIFEST_TYPES]);
    assert.deepEqual(m.body, img.manifest);
    assert.equal(m.mediaType, MediaType.OCIManifest);
    assert.equal(m.digest, img.digest);
    const byDigest = await c.getManifest('tsman/test', img.digest, [...ACCEPT_MANIFEST_TYPES]);
    assert.equal(byDigest.digest, img.digest);

    const dest = path.join(dir, 'layer');
    let progress = 0;
    await c.fetchBlob('tsman/test', sha(img.layer), dest, { size: img.layer.length, onProgress: (n) => (progress = n) });
    assert.deepEqual(await fsp.readFile(dest), img.layer);
    assert.equal(progress, img.layer.length);
    assert.equal(existsSync(`${dest}.partial`), false);

    assert.equal(await c.headBlob('tsman/test', sha(img.layer)), img.layer.length);
    assert.equal(await c.headBlob('tsman/test', sha(Buffer.from('nope'))), undefined);
    await pushImage(c, 'tsman/test', 'v2');
    assert.deepEqual((await c.listTags('tsman/test')).sort(), ['v1', 'v2']);
  });

  it('uploads in chunks and mounts across repositories', async () => {
    const c = client({ registry: plain.host, insecure: true });
    const data = randomBytes(10_000);
    const file = path.join(dir, 'chunked');
    await fsp.writeFile(file, data);
    await c.putBlob('tsman/chunked', sha(data), file, { chunkSize: 3000 });
    const dest = path.join(dir, 'chunked.out');
    await c.fetchBlob('tsman/chunked', sha(data), dest, { size: data.length });
    assert.deepEqual(await fsp.readFile(dest), data);
    await c.putBlob('tsman/mounted', sha(data), Buffer.alloc(0), { mountFrom: 'tsman/chunked' });
    assert.equal(await c.headBlob('tsman/mounted', sha(data)), data.length);
  });

  it('reports a missing tag like podman', async () => {
    const c = client({ registry: plain.host, insecure: true });
    await rejectsWith(c.getManifest('nope', 'x', [...ACCEPT_MANIFEST_TYPES]), 'ENOIMAGE',
      `initializing source docker://${plain.host}/nope:x: reading manifest x in ${plain.host}/nope: manifest unknown: manifest unknown`);
  });

  it('refuses a corrupted blob and a wrong size, leaving no file behind', async () => {
    const c = client({ registry: plain.host, insecure: true });
    const img = await pushImage(c, 'tsman/corrupt', 'v1');
    const digest = sha(img.layer);
    const dest = path.join(dir, 'corrupt');
    await rejectsWith(c.fetchBlob('tsman/corrupt', digest, dest, { size: img.layer.length + 1 }), 'EDIGEST',
      `blob ${digest}: size mismatch (expected ${img.layer.length + 1}, got ${img.layer.length})`);
    const bad = Buffer.from(img.layer);
    bad[100] ^= 0xff;
    await fsp.writeFile(blobPath(plain, digest), bad);
    await rejectsWith(c.fetchBlob('tsman/corrupt', digest, dest, { size: img.layer.length }), 'EDIGEST',
      `blob ${digest}: digest mismatch (got ${sha(bad)})`);
    assert.equal(existsSync(dest), false);
    assert.equal(existsSync(`${dest}.partial`), false);

    const badManifest = Buffer.from(img.manifest.toString().replace('"schemaVersion":2', '"schemaVersion":2 '));
    await fsp.writeFile(blobPath(plain, img.digest), badManifest);
    await rejectsWith(c.getManifest('tsman/corrupt', img.digest, [...ACCEPT_MANIFEST_TYPES]), 'EDIGEST', /manifest digest mismatch \(got sha256:/);
  });

  it('refuses https-only use of an http registry', async () => {
    const c = client({ registry: plain.host, insecure: false });
    await rejectsWith(c.getManifest('x', 'latest', [...ACCEPT_MANIFEST_TYPES]), 'EREGISTRY',
      `initializing source docker://${plain.host}/x:latest: pinging container registry ${plain.host}: Get "https://${plain.host}/v2/": http: server gave HTTP response to HTTPS client`);
  });

  it('reports a registry that is down like podman', async () => {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    await rejectsWith(client({ registry: host, insecure: false }).getManifest('x', 'latest', []), 'EREGISTRY',
      `initializing source docker://${host}/x:latest: pinging container registry ${host}: Get "https://${host}/v2/": dial tcp ${host}: connect: connection refused`);
    await rejectsWith(client({ registry: host, insecure: true }).fetchBlob('x', sha(Buffer.from('x')), path.join(dir, 'down'), {}), 'EREGISTRY',
      `pinging container registry ${host}: Get "http://${host}/v2/": dial tcp ${host}: connect: connection refused`);
  });
});

describe('TLS registry with htpasswd', () => {
  it('trusts the certs.d CA and sends basic auth', async () => {
    const c = client({ registry: secure.host, insecure: false, certDir: path.join(dir, 'certs'), credentials: { username: 'user', password: 'pass' } });
    const img = await pushImage(c, 'tsman/secure', 'v1');
    const m = await c.getManifest('tsman/secure', 'v1', [...ACCEPT_MANIFEST_TYPES]);
    assert.equal(m.digest, img.digest);
    await c.checkAuth();
    const dest = path.join(dir, 'secure-layer');
    await c.fetchBlob('tsman/secure', sha(img.layer), dest, {});
    assert.deepEqual(await fsp.readFile(dest), img.layer);
    // insecure skips verification
    const c2 = client({ registry: secure.host, insecure: true, credentials: { username: 'user', password: 'pass' } });
    assert.equal((await c2.getManifest('tsman/secure', 'v1', [...ACCEPT_MANIFEST_TYPES])).digest, img.digest);
  });

  it('fails without the CA, without and with wrong credentials', async () => {
    await rejectsWith(client({ registry: secure.host, insecure: false }).getManifest('tsman/secure', 'v1', []), 'EREGISTRY',
      `initializing source docker://${secure.host}/tsman/secure:v1: pinging container registry ${secure.host}: Get "https://${secure.host}/v2/": x509: certificate signed by unknown authority`);
    const certDir = path.join(dir, 'certs');
    await rejectsWith(client({ registry: secure.host, insecure: false, certDir }).getManifest('tsman/secure', 'v1', []), 'EAUTH',
      `initializing source docker://${secure.host}/tsman/secure:v1: reading manifest v1 in ${secure.host}/tsman/secure: unauthorized: authentication required`);
    const bad = client({ registry: secure.host, insecure: false, certDir, credentials: { username: 'user', password: 'bad' } });
    await rejectsWith(bad.getManifest('tsman/secure', 'v1', []), 'EAUTH', /unauthorized: authentication required$/);
    await rejectsWith(bad.checkAuth(), 'EAUTH', /invalid username\/password/);
  });
});

/** A registry of our own: bearer tokens, blobs redirected to a storage server, scripted failures. */
describe('bearer auth, redirects and retries (mock registry)', () => {
  const layer = randomBytes(200_000);
  const digest = sha(layer);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { mediaType: MediaType.DockerConfig, digest, size: 1 }, layers: [] }));
  const tokenRequests: { query: URLSearchParams; auth?: string; body?: string }[] = [];
  const storageAuth: (string | undefined)[] = [];
  let failures: ('503' | '429' | '404' | 'reset' | 'stall')[] = [];
  let storageHits = 0;
  let front: string;

  const listen = async (handler: http.RequestListener): Promise<number> => {
    const s = http.createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return (s.address() as net.AddressInfo).port;
  };

  before(async () => {
    const storage = await listen((req, res) => {
      storageHits++;
      storageAuth.push(req.headers.authorization);
      const f = failures.shift();
      if (f === '503' || f === '429' || f === '404') {
        res.writeHead(Number(f), { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ errors: [{ code: f === '404' ? 'BLOB_UNKNOWN' : 'UNAVAILABLE', message: 'scripted' }] }));
      }
      res.writeHead(200, { 'Content-Length': String(layer.length) });
      if (f === 'reset') {
        res.write(layer.subarray(0, 1000));
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      if (f === 'stall') return void res.write(layer.subarray(0, 1000));
      res.end(layer);
    });
    let port = 0;
    port = await listen((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const challenge = `Bearer realm="http://127.0.0.1:${port}/token",service="mock",scope="x"`;
      if (u.pathname === '/token') {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          tokenRequests.push({ query: u.searchParams, auth: req.headers.authorization, body });
          const form = new URLSearchParams(body);
          const okBasic = req.headers.authorization === `Basic ${Buffer.from('user:pass').toString('base64')}`;
          if (req.method === 'POST' && form.get('refresh_token') === 'idtok') {
            res.writeHead(200, { 'Content-Type': 'application/json' });
            return res.end(JSON.stringify({ access_token: 'tok-oauth', expires_in: 300 }));
          }
          if (!okBasic) {
            res.writeHead(401, { 'Content-Type': 'application/json' });
            return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
          }
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ token: `tok-${tokenRequests.length}`, expires_in: 300 }));
        });
        return;
      }
      if (!/^Bearer tok-/.test(req.headers.authorization ?? '')) {
        res.writeHead(401, { 'WWW-Authenticate': challenge, 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      }
      if (u.pathname === '/v2/') return res.end('{}');
      if (u.pathname === '/v2/lib/img/manifests/latest') {
        res.writeHead(200, { 'Content-Type': MediaType.DockerManifest });
        return res.end(manifest);
      }
      if (u.pathname === `/v2/lib/img/blobs/${digest}`) {
        res.writeHead(307, { Location: `http://127.0.0.1:${storage}/data/${digest.slice(7)}` });
        return res.end();
      }
      res.writeHead(404);
      res.end();
    });
    front = `127.0.0.1:${port}`;
  });

  it('parses challenges', () => {
    assert.deepEqual(parseAuthenticate(['Bearer realm="https://auth.example/token",service="reg.example",scope="repository:a/b:pull,push"']), [
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg.example', scope: 'repository:a/b:pull,push' } },
    ]);
    assert.deepEqual(parseAuthenticate(['Basic realm="x y"']), [{ scheme: 'basic', params: { realm: 'x y' } }]);
  });

  it('gets a token per scope with basic credentials and caches it', async () => {
    tokenRequests.length = 0;
    const c = client({ registry: front, insecure: true, credentials: { username: 'user', password: 'pass' } });
    const m = await c.getManifest('lib/img', 'latest', [...ACCEPT_MANIFEST_TYPES]);
    assert.equal(m.mediaType, MediaType.DockerManifest);
    await c.getManifest('lib/img', 'latest', [...ACCEPT_MANIFEST_TYPES]);
    assert.equal(tokenRequests.length, 1);
    assert.equal(tokenRequests[0].query.get('scope'), 'repository:lib/img:pull');
    assert.equal(tokenRequests[0].query.get('service'), 'mock');
    assert.equal(tokenRequests[0].query.get('account'), 'user');
  });

  it('exchanges an identity token and reports refused credentials', async () => {
    const c = client({ registry: front, insecure: true, credentials: { identityToken: 'idtok' } });
    const m = await c.getManifest('lib/img', 'latest', []);
    assert.deepEqual(m.body, manifest);
    const form = new URLSearchParams(tokenRequests.at(-1)!.body);
    assert.equal(form.get('grant_type'), 'refresh_token');
    assert.equal(form.get('scope'), 'repository:lib/img:pull');
    const bad = client({ registry: front, insecure: true, credentials: { username: 'user', password: 'nope' } });
    await rejectsWith(bad.getManifest('lib/img', 'latest', []), 'EAUTH', /unable to retrieve auth token: invalid username\/password: unauthorized: bad credentials$/);
  });

  it('follows redirects to storage without leaking the token, and retries transient failures', async () => {
    const c = client({ registry: front, insecure: true, credentials: { username: 'user', password: 'pass' } });
    const dest = path.join(dir, 'mock-layer');
    storageAuth.length = 0;
    failures = ['503', 'reset'];
    storageHits = 0;
    await c.fetchBlob('lib/img', digest, dest, { size: layer.length });
    assert.deepEqual(await fsp.readFile(dest), layer);
    assert.equal(storageHits, 3);
    assert.deepEqual(storageAuth, [undefined, undefined, undefined]);

    failures = ['429', '503', '503'];
    storageHits = 0;
    await rejectsWith(c.fetchBlob('lib/img', digest, dest + '2', {}), 'EREGISTRY', /unavailable: scripted/);
    assert.equal(storageHits, 3);

    failures = ['404'];
    storageHits = 0;
    await rejectsWith(c.fetchBlob('lib/img', digest, dest + '3', {}), 'ENOTFOUND', `reading blob ${digest}: blob unknown: scripted`);
    assert.equal(storageHits, 1);
  });

  it('times out a stalled transfer after its retries', async () => {
    const c = client({ registry: front, insecure: true, timeoutMs: 150, credentials: { username: 'user', password: 'pass' } });
    failures = ['stall', 'stall', 'stall'];
    storageHits = 0;
    await rejectsWith(c.fetchBlob('lib/img', digest, path.join(dir, 'stalled'), {}), 'EREGISTRY', /^reading blob sha256:[0-9a-f]{64}: read tcp 127.0.0.1:\d+: i\/o timeout$/);
    assert.equal(storageHits, 3);
  });

  it('fetches blobs in parallel', async () => {
    const c = client({ registry: front, insecure: true, credentials: { username: 'user', password: 'pass' } });
    failures = [];
    const files = [1, 2, 3, 4, 5].map((i) => path.join(dir, `parallel-${i}`));
    await Promise.all(files.map((f) => c.fetchBlob('lib/img', digest, f, { size: layer.length })));
    for (const f of files) assert.deepEqual(await fsp.readFile(f), layer);
  });

  it('stops on abort and removes the partial file', async () => {
    const c = client({ registry: front, insecure: true, credentials: { username: 'user', password: 'pass' } });
    const dest = path.join(dir, 'aborted');
    failures = ['stall'];
    const ac = new AbortController();
    const p = c.fetchBlob('lib/img', digest, dest, { signal: ac.signal, onProgress: () => ac.abort() });
    await assert.rejects(p, (err: Error) => err.name === 'AbortError');
    assert.equal(existsSync(`${dest}.partial`), false);
    assert.equal(existsSync(dest), false);
  });
});
