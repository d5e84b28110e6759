#!/usr/bin/env node
// Builds the test images and pushes them to the local test registries started by
// hack/registry.sh. Deliberately self-contained (no npm deps, no podman/buildah): its
// own tar writer, gzip via node:zlib, and a minimal OCI distribution push client.
// Every image is described in test/images/README.md; keep the two in sync.
//
// usage: node test/images/build.mjs [--force]
// env:   TSMAN_REGISTRY_DIR  registry state dir (default /var/tmp/tsman-registry)
//        TSMAN_REGISTRY      plain registry (default 127.0.0.1:5000)
//        TSMAN_REGISTRY_TLS  TLS+htpasswd registry (default 127.0.0.1:5001)
//        TSMAN_BUSYBOX       static busybox binary (default /bin/busybox)

import { createHash, createCipheriv } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const SELF = fileURLToPath(import.meta.url);
const STATE = process.env.TSMAN_REGISTRY_DIR || '/var/tmp/tsman-registry';
const PLAIN = process.env.TSMAN_REGISTRY || '127.0.0.1:5000';
const TLS = process.env.TSMAN_REGISTRY_TLS || '127.0.0.1:5001';
const TLS_USER = 'tsmanuser';
const TLS_PASS = 'tsmanpass';
const BUSYBOX = process.env.TSMAN_BUSYBOX || '/bin/busybox';
const PLAIN_STORAGE = path.join(STATE, 'plain', 'storage');
const STAMP = path.join(STATE, 'images.stamp');
const IMAGES_JSON = path.join(STATE, 'images.json');
const FORCE = process.argv.includes('--force');

// Fixed timestamps keep every blob, and so every digest, reproducible.
const EPOCH = 1704067200; // 2024-01-01T00:00:00Z
const CREATED = new Date(EPOCH * 1000).toISOString().replace('.000Z', 'Z');
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const MT = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

const sha256 = (buf) => 'sha256:' + createHash('sha256').update(buf).digest('hex');
const log = (...a) => console.log(...a);

// ---------------------------------------------------------------------------
// tar writer: ustar headers, PAX extended headers for long names/link targets and
// xattrs. Entries are written exactly as given (no path cleaning): the malicious
// images depend on that.

function octal(n, width) {
  // width includes the terminating NUL
  const s = n.toString(8);
  if (s.length > width - 1) throw new Error(`tar: ${n} does not fit in ${width} bytes`);
  return s.padStart(width - 1, '0') + '\0';
}

function paxRecord(key, value) {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return `${len}${body}`;
}

const TYPEFLAG = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

function header(e) {
  const h = Buffer.alloc(512);
  const put = (off, len, str) => {
    const b = Buffer.from(str, 'utf8');
    if (b.length > len) throw new Error(`tar: field too long: ${str}`);
    b.copy(h, off);
  };
  put(0, 100, e.name);
  put(100, 8, octal(e.mode, 8));
  put(108, 8, octal(e.uid, 8));
  put(116, 8, octal(e.gid, 8));
  put(124, 12, octal(e.size, 12));
  put(136, 12, octal(e.mtime, 12));
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  put(156, 1, e.typeflag);
  put(157, 100, e.linkname || '');
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  put(265, 32, e.uname || '');
  put(297, 32, e.gname || '');
  put(329, 8, octal(e.devmajor || 0, 8));
  put(337, 8, octal(e.devminor || 0, 8));
  let sum = 0;
  for (const byte of h) sum += byte;
  put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

const pad512 = (n) => Buffer.alloc((512 - (n % 512)) % 512);

/**
 * entries: { path, type: file|dir|symlink|hardlink|char|block|fifo, mode, uid, gid,
 *            content (Buffer|string), target (symlink/hardlink), major, minor, xattrs }
 */
function makeTar(entries) {
  const chunks = [];
  for (const en of entries) {
    const type = en.type || 'file';
    const typeflag = TYPEFLAG[type];
    if (!typeflag) throw new Error(`tar: bad type ${type}`);
    let name = en.path;
    if (type === 'dir' && !name.endsWith('/')) name += '/';
    const content = type === 'file' ? Buffer.from(en.content ?? '') : Buffer.alloc(0);
    const linkname = type === 'symlink' || type === 'hardlink' ? en.target : '';
    const defMode = type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644;
    const meta = {
      mode: en.mode ?? defMode,
      uid: en.uid ?? 0,
      gid: en.gid ?? 0,
      mtime: en.mtime ?? EPOCH,
    };

    const pax = [];
    if (Buffer.byteLength(name) > 100) pax.push(paxRecord('path', name));
    if (Buffer.byteLength(linkname) > 100) pax.push(paxRecord('linkpath', linkname));
    for (const [k, v] of Object.entries(en.xattrs || {})) pax.push(paxRecord(`SCHILY.xattr.${k}`, v));
    if (pax.length) {
      const body = Buffer.from(pax.join(''), 'utf8');
      const base = path.posix.basename(name.replace(/\/$/, '')).slice(0, 80);
      chunks.push(header({ name: `PaxHeaders/${base}`, mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: meta.mtime, typeflag: 'x' }));
      chunks.push(body, pad512(body.length));
    }
    const trunc = (s) => {
      const b = Buffer.from(s, 'utf8');
      return b.length > 100 ? b.subarray(0, 100).toString('latin1') : s;
    };
    chunks.push(header({
      name: trunc(name),
      linkname: trunc(linkname),
      ...meta,
      size: content.length,
      typeflag,
      devmajor: en.major,
      devminor: en.minor,
    }));
    if (content.length) chunks.push(content, pad512(content.length));
  }
  chunks.push(Buffer.alloc(1024));
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------
// blobs, layers, configs, manifests

/** A layer: tar bytes, gzip bytes, diffID, digest. */
function makeLayer(entries, level = 6) {
  const tar = makeTar(entries);
  const gz = zlib.gzipSync(tar, { level });
  return { tar, gz, diffID: sha256(tar), digest: sha256(gz), size: gz.length };
}

/** Pseudo-random, incompressible, deterministic bytes: the AES-128-CTR keystream of a seed. */
function prng(seed, n) {
  const key = createHash('sha256').update(String(seed)).digest().subarray(0, 16);
  const c = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([c.update(Buffer.alloc(n)), c.final()]);
}

function hostArch() {
  return { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' }[process.arch] || process.arch;
}

function makeConfig({ layers, history, labels, architecture = hostArch(), variant, extra = {} }) {
  const cfg = {
    created: CREATED,
    architecture,
    ...(variant ? { variant } : {}),
    os: 'linux',
    config: { Env: [PATH_ENV], Cmd: ['sh'], Labels: labels, ...extra },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffID) },
    history,
  };
  return Buffer.from(JSON.stringify(cfg));
}

const hist = (created_by, empty_layer = false) => ({ created: CREATED, created_by, ...(empty_layer ? { empty_layer: true } : {}) });

/** image = { config: Buffer, layers: [layer] }; returns manifest bytes. */
function makeManifest(image, oci) {
  const m = {
    schemaVersion: 2,
    mediaType: oci ? MT.ociManifest : MT.dockerManifest,
    config: { mediaType: oci ? MT.ociConfig : MT.dockerConfig, size: image.config.length, digest: sha256(image.config) },
    layers: image.layers.map((l) => ({ mediaType: oci ? MT.ociLayer : MT.dockerLayer, size: l.size, digest: l.digest })),
  };
  return Buffer.from(JSON.stringify(m, null, 3));
}

// ---------------------------------------------------------------------------
// registry push client (OCI distribution spec, monolithic uploads)

class Registry {
  constructor(host, { tls = false, ca, user, pass } = {}) {
    this.base = `${tls ? 'https' : 'http'}://${host}`;
    this.host = host;
    this.mod = tls ? https : http;
    this.agent = new this.mod.Agent({ keepAlive: true, ...(ca ? { ca } : {}) });
    this.auth = user ? 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64') : null;
  }

  request(method, url, { headers = {}, body } = {}) {
    const u = new URL(url, this.base);
    const h = { ...headers };
    if (this.auth) h.Authorization = this.auth;
    if (body !== undefined || method === 'PUT' || method === 'POST') h['Content-Length'] = body ? body.length : 0;
    return new Promise((resolve, reject) => {
      const req = this.mod.request(u, { method, headers: h, agent: this.agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', (err) => reject(new Error(`${method} ${u}: ${err.message}`)));
      req.end(body);
    });
  }

  async check(res, what, ...ok) {
    if (!ok.includes(res.status)) {
      throw new Error(`${what}: HTTP ${res.status}: ${res.body.toString().slice(0, 500)}`);
    }
    return res;
  }

  async blobExists(repo, digest) {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`);
    return res.status === 200;
  }

  async pushBlob(repo, data, digest = sha256(data)) {
    if (await this.blobExists(repo, digest)) return digest;
    const start = await this.check(await this.request('POST', `/v2/${repo}/blobs/uploads/`), `start upload to ${repo}`, 202);
    const loc = new URL(start.headers.location, this.base);
    loc.searchParams.set('digest', digest);
    await this.check(
      await this.request('PUT', loc.toString(), { headers: { 'Content-Type': 'application/octet-stream' }, body: data }),
      `upload ${digest} to ${repo}`, 201);
    return digest;
  }

  async deleteBlob(repo, digest) {
    const res = await this.request('DELETE', `/v2/${repo}/blobs/${digest}`);
    return this.check(res, `delete blob ${digest} in ${repo}`, 202, 404);
  }

  async putManifest(repo, ref, bytes, mediaType) {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${ref}`, { headers: { 'Content-Type': mediaType }, body: bytes });
    return res;
  }

  async manifestDigest(repo, ref) {
    const res = await this.request('HEAD', `/v2/${repo}/manifests/${ref}`, {
      headers: { Accept: Object.values(MT).filter((m) => /manifest|index/.test(m)).join(', ') },
    });
    return res.status === 200 ? res.headers['docker-content-digest'] : null;
  }

  close() { this.agent.destroy(); }
}

const pushed = [];

/** Pushes blobs + manifest of an image; returns the manifest digest. */
async function pushImage(reg, repo, tags, image, { oci = false, record = true } = {}) {
  for (const l of image.layers) await reg.pushBlob(repo, l.gz, l.digest);
  await reg.pushBlob(repo, image.config);
  const manifest = makeManifest(image, oci);
  const digest = sha256(manifest);
  const mediaType = oci ? MT.ociManifest : MT.dockerManifest;
  for (const tag of tags.length ? tags : [digest]) {
    const res = await reg.putManifest(repo, tag, manifest, mediaType);
    await reg.check(res, `put manifest ${repo}:${tag}`, 201);
    if (res.headers['docker-content-digest'] && res.headers['docker-content-digest'] !== digest) {
      throw new Error(`registry computed digest ${res.headers['docker-content-digest']} for ${repo}:${tag}, expected ${digest}`);
    }
    if (record) note(reg, repo, tag, digest, mediaType, image);
  }
  return { digest, size: manifest.length, mediaType };
}

function note(reg, repo, tag, digest, mediaType, image, extra = {}) {
  const ref = `${reg.host}/${repo}:${tag}`;
  log(`${ref} ${digest}`);
  pushed.push({
    ref, digest, mediaType,
    ...(image ? {
      config: sha256(image.config),
      layers: image.layers.map((l) => ({ digest: l.digest, size: l.size, diffID: l.diffID })),
    } : {}),
    ...extra,
  });
}

// ---------------------------------------------------------------------------
// image contents

function busyboxLayer(bb) {
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' })
    .split('\n').map((s) => s.trim()).filter((s) => s && s !== 'busybox' && !s.includes('/')).sort();
  const passwd = [
    'root:x:0:0:root:/root:/bin/sh',
    'tsuser:x:1000:1000:tsman test user:/home/tsuser:/bin/sh',
    'nobody:x:65534:65534:nobody:/home:/bin/false',
    '',
  ].join('\n');
  const group = [
    'root:x:0:',
    'tsuser:x:1000:',
    'tsgroup:x:2000:tsuser',
    'nogroup:x:65534:',
    '',
  ].join('\n');
  const entries = [
    { path: 'bin', type: 'dir' },
    { path: 'dev', type: 'dir' },
    { path: 'etc', type: 'dir' },
    { path: 'home', type: 'dir' },
    { path: 'home/tsuser', type: 'dir', uid: 1000, gid: 1000 },
    { path: 'proc', type: 'dir', mode: 0o555 },
    { path: 'root', type: 'dir', mode: 0o700 },
    { path: 'sys', type: 'dir', mode: 0o555 },
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'var', type: 'dir' },
    { path: 'var/tmp', type: 'dir', mode: 0o1777 },
    { path: 'bin/busybox', content: bb, mode: 0o755 },
    ...applets.map((a) => ({ path: `bin/${a}`, type: 'symlink', target: 'busybox' })),
    { path: 'etc/passwd', content: passwd },
    { path: 'etc/group', content: group },
  ];
  return { layer: makeLayer(entries), applets };
}

const BUSYBOX_HISTORY = [
  hist('/bin/sh -c #(nop) ADD file:busybox-static in / '),
  hist('/bin/sh -c #(nop)  CMD ["sh"]', true),
];

function derived(base, layers, name, createdBy, extra = {}, arch = {}) {
  const all = [base, ...layers];
  return {
    layers: all,
    config: makeConfig({
      layers: all,
      labels: { 'org.tsman.test': name, ...(extra.labels || {}) },
      history: [...BUSYBOX_HISTORY, ...layers.map((_, i) => hist(createdBy(i))), hist(`/bin/sh -c #(nop)  LABEL org.tsman.test=${name}`, true)],
      extra: extra.config || {},
      ...arch,
    }),
  };
}

const LONG_PATH = `data/long/${'d'.repeat(50)}/${'f'.repeat(60)}.txt`;

function layersImageLayers() {
  const d = (p, mode = 0o755, uid = 0, gid = 0) => ({ path: p, type: 'dir', mode, uid, gid });
  const l1 = [
    d('data'),
    { path: 'data/owned-by-root', content: 'owned by root\n' },
    { path: 'data/owned-by-1000', content: 'owned by 1000\n', uid: 1000, gid: 1000 },
    { path: 'data/owned-by-nobody', content: 'owned by nobody\n', mode: 0o600, uid: 65534, gid: 65534 },
    d('data/dir-1000', 0o755, 1000, 1000),
    { path: 'data/dir-1000/file', content: 'in dir-1000\n', uid: 1000, gid: 1000 },
    { path: 'data/setuid', content: '#!/bin/sh\necho setuid\n', mode: 0o4755 },
    d('data/setgid-dir', 0o2775, 0, 1000),
    { path: 'data/hardlink-a', content: 'hardlinked content\n' },
    { path: 'data/hardlink-b', type: 'hardlink', target: 'data/hardlink-a' },
    { path: 'data/rel-link', type: 'symlink', target: 'owned-by-root' },
    { path: 'data/abs-link', type: 'symlink', target: '/data/owned-by-root' },
    { path: 'data/up-link', type: 'symlink', target: '../etc/passwd' },
    { path: 'data/dangling-link', type: 'symlink', target: '/nonexistent/target' },
    { path: 'data/xattr-file', content: 'has a user xattr\n', xattrs: { 'user.tsman': 'hello' } },
    d('data/long'),
    d(`data/long/${'d'.repeat(50)}`),
    { path: LONG_PATH, content: 'long path\n' },
    { path: 'data/long-link', type: 'symlink', target: '/' + LONG_PATH },
    { path: 'data/to-delete-file', content: 'deleted in layer 3\n' },
    d('data/to-delete-dir'),
    { path: 'data/to-delete-dir/inner', content: 'deleted with its dir\n' },
    d('data/to-delete-dir/sub'),
    { path: 'data/to-delete-dir/sub/deep', content: 'deleted with its dir\n' },
    d('data/opaque-dir'),
    { path: 'data/opaque-dir/old-1', content: 'hidden by the opaque dir\n' },
    { path: 'data/opaque-dir/old-2', content: 'hidden by the opaque dir\n' },
    d('data/opaque-dir/old-sub'),
    { path: 'data/opaque-dir/old-sub/old-3', content: 'hidden by the opaque dir\n' },
    { path: 'data/type-change', content: 'a file in layer 1, a directory from layer 3\n' },
  ];
  const l2 = [
    d('data'),
    { path: 'data/owned-by-root', content: 'modified in layer 2\n' },
    d('data/dir-1000', 0o700, 1000, 1000),
    { path: 'data/new-in-l2', content: 'added in layer 2\n' },
    d('data/to-delete-dir'),
    { path: 'data/to-delete-dir/added-in-l2', content: 'deleted with its dir\n' },
    d('data/opaque-dir'),
    { path: 'data/opaque-dir/old-l2', content: 'hidden by the opaque dir\n' },
  ];
  const wh = (p) => ({ path: p, content: '', mode: 0o600 });
  const l3 = [
    d('data'),
    wh('data/.wh.to-delete-file'),
    wh('data/.wh.to-delete-dir'),
    d('data/opaque-dir'),
    // The new entry comes BEFORE the opaque marker: the marker hides the lower
    // layers' content only, never what this same layer already put there.
    { path: 'data/opaque-dir/new-1', content: 'new in layer 3, before the opaque marker\n' },
    wh('data/opaque-dir/.wh..wh..opq'),
    d('data/opaque-dir/new-sub'),
    { path: 'data/opaque-dir/new-sub/new-2', content: 'new in layer 3, after the opaque marker\n' },
    d('data/type-change', 0o755),
    { path: 'data/type-change/inside', content: 'type-change is a directory now\n' },
  ];
  const l4 = [
    d('etc'),
    { path: 'etc/layers-image', content: 'layers image\n' },
    d('data'),
    { path: 'data/in-layer-4', content: 'added in layer 4\n', mode: 0o640, uid: 1000, gid: 2000 },
  ];
  return [l1, l2, l3, l4].map((e) => makeLayer(e));
}

const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 'ppc64le' },
];
const platformString = (p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

async function pushIndex(reg, repo, bbLayer, oci) {
  const entries = [];
  for (const p of PLATFORMS) {
    const ps = platformString(p);
    const layer = makeLayer([{ path: 'etc', type: 'dir' }, { path: 'etc/arch', content: ps + '\n' }]);
    const image = derived(bbLayer, [layer], oci ? 'multiarch' : 'multiarch-docker', () => `/bin/sh -c echo ${ps} > /etc/arch`,
      { labels: { 'org.tsman.arch': ps } }, { architecture: p.architecture, variant: p.variant });
    const m = await pushImage(reg, repo, [], image, { oci, record: false });
    entries.push({ mediaType: m.mediaType, size: m.size, digest: m.digest, platform: { architecture: p.architecture, os: p.os, ...(p.variant ? { variant: p.variant } : {}) } });
    pushedChildren.push({ platform: ps, digest: m.digest, config: sha256(image.config), layers: image.layers.map((l) => ({ digest: l.digest, size: l.size, diffID: l.diffID })) });
  }
  const mediaType = oci ? MT.ociIndex : MT.dockerList;
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: entries }, null, 3));
  const res = await reg.putManifest(repo, 'latest', index, mediaType);
  await reg.check(res, `put index ${repo}:latest`, 201);
  const children = pushedChildren.splice(0);
  note(reg, repo, 'latest', sha256(index), mediaType, null, { manifests: children });
}
const pushedChildren = [];

// ---------------------------------------------------------------------------

function stampHash(bb) {
  return createHash('sha256').update(fs.readFileSync(SELF)).update(bb).update(`${PLAIN} ${TLS}`).digest('hex');
}

async function upToDate(hash, plain, tls) {
  let st;
  try { st = JSON.parse(fs.readFileSync(STAMP, 'utf8')); } catch { return false; }
  if (st.hash !== hash || !Array.isArray(st.images)) return false;
  // A wiped or replaced registry invalidates the stamp.
  for (const img of st.images) {
    const [host, rest] = [img.ref.slice(0, img.ref.indexOf('/')), img.ref.slice(img.ref.indexOf('/') + 1)];
    const reg = host === plain.host ? plain : host === tls.host ? tls : null;
    if (!reg) return false;
    const [repo, tag] = rest.split(':');
    if ((await reg.manifestDigest(repo, tag)) !== img.digest) return false;
  }
  for (const img of st.images) log(`${img.ref} ${img.digest}`);
  return true;
}

function blobDataPath(digest) {
  const hex = digest.replace(/^sha256:/, '');
  return path.join(PLAIN_STORAGE, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

async function main() {
  const t0 = Date.now();
  const bb = fs.readFileSync(BUSYBOX);
  const hash = stampHash(bb);
  const caFile = path.join(STATE, 'certs', 'ca.crt');
  const plain = new Registry(PLAIN);
  const tls = new Registry(TLS, { tls: true, ca: fs.existsSync(caFile) ? fs.readFileSync(caFile) : undefined, user: TLS_USER, pass: TLS_PASS });
  try {
    if (!FORCE && await upToDate(hash, plain, tls)) {
      log(`images up to date (${STAMP}; --force rebuilds)`);
      return;
    }

    const { layer: bbLayer, applets } = busyboxLayer(bb);
    const busybox = {
      layers: [bbLayer],
      config: makeConfig({
        layers: [bbLayer],
        labels: { 'org.tsman.test': 'busybox' },
        history: [...BUSYBOX_HISTORY, hist('/bin/sh -c #(nop)  LABEL org.tsman.test=busybox', true)],
      }),
    };

    // busybox: docker schema2 as :latest and :1.0, the same blobs as OCI in busybox-oci
    await pushImage(plain, 'tsman/busybox', ['latest', '1.0'], busybox);
    await pushImage(plain, 'tsman/busybox-oci', ['latest'], busybox, { oci: true });
    await pushImage(tls, 'tsman/busybox', ['latest'], busybox);

    // layers: ownership, modes, links, whiteouts, opaque dir, xattr, long names (OCI)
    const layers = derived(bbLayer, layersImageLayers(), 'layers', (i) => `/bin/sh -c #(nop) ADD layer${i + 1}.tar / # layers image`,
      { config: { WorkingDir: '/data' } });
    await pushImage(plain, 'tsman/layers', ['latest'], layers, { oci: true });

    // multiarch: OCI index; multiarch-docker: docker manifest list
    await pushIndex(plain, 'tsman/multiarch', bbLayer, true);
    await pushIndex(plain, 'tsman/multiarch-docker', bbLayer, false);

    // large: 5 x 20 MiB of incompressible data, with checksums in the last layer
    const MiB = 1024 * 1024;
    const sums = [];
    const largeLayers = [];
    for (let i = 1; i <= 5; i++) {
      const data = prng(`tsman-large-${i}`, 20 * MiB);
      sums.push(`${createHash('sha256').update(data).digest('hex')}  /large/layer${i}.bin`);
      const entries = [{ path: 'large', type: 'dir' }, { path: `large/layer${i}.bin`, content: data }];
      if (i === 5) entries.push({ path: 'large/SHA256SUMS', content: sums.join('\n') + '\n' });
      largeLayers.push(makeLayer(entries, 1));
    }
    await pushImage(plain, 'tsman/large', ['latest'], derived(bbLayer, largeLayers, 'large', (i) => `/bin/sh -c #(nop) ADD layer${i + 1}.bin /large/`));

    // malicious layers (OCI)
    const evil = {
      'evil-dotdot': [{ path: '../../../../tmp/tsman-evil-dotdot', content: 'evil dotdot\n' }],
      'evil-abs': [{ path: '/tmp/tsman-evil-abs', content: 'evil abs (harmless when kept inside the rootfs)\n' }],
      'evil-symlink': [
        { path: 'escape', type: 'symlink', target: '/tmp' },
        { path: 'escape/tsman-evil-symlink', content: 'evil symlink\n' },
      ],
      'evil-symlink-rel': [
        { path: 'up', type: 'symlink', target: '../../../../../../tmp' },
        { path: 'up/tsman-evil-symlink-rel', content: 'evil relative symlink\n' },
      ],
      'evil-hardlink': [{ path: 'passwd-link', type: 'hardlink', target: '../../../../etc/passwd' }],
      'evil-device': [
        { path: 'dev', type: 'dir' },
        { path: 'dev/evil', type: 'char', mode: 0o666, major: 1, minor: 1 },
        { path: 'dev/evil-block', type: 'block', mode: 0o660, major: 8, minor: 0 },
      ],
    };
    for (const [name, entries] of Object.entries(evil)) {
      await pushImage(plain, `tsman/${name}`, ['latest'], derived(bbLayer, [makeLayer(entries)], name, () => `/bin/sh -c #(nop) ADD ${name}.tar /`), { oci: true });
    }

    // symlinked mount targets and database files: each points at the host's
    // /tmp/tsman-evil-t/<name>, absolutely (evil-link-*) or through ../ (evil-rlink-*);
    // nothing may be read from or created there (test/bats/061-rootfs-links.bats)
    const up = '../../../../../../../../..';
    const links = (rel) => (name, file) => (rel ? `${up}/tmp/tsman-evil-t/${name}` : `/tmp/tsman-evil-t/${name}`) + (file ? `/${file}` : '');
    for (const rel of [false, true]) {
      const to = links(rel);
      const pre = rel ? 'evil-rlink' : 'evil-link';
      const linkImages = {
        dev: { entries: [{ path: 'dev', type: 'symlink', target: to('dev') }] },
        proc: { entries: [{ path: 'proc', type: 'symlink', target: to('proc') }] },
        sys: { entries: [{ path: 'sys', type: 'symlink', target: to('sys') }] },
        run: { entries: [{ path: 'run', type: 'symlink', target: to('run') }] },
        etc: { entries: ['passwd', 'group', 'hosts', 'resolv.conf', 'hostname', 'localtime'].map((f) => ({ path: `etc/${f}`, type: 'symlink', target: to('etc', f) })) },
        etcdir: { entries: [{ path: 'etc', type: 'symlink', target: to('etcdir') }] },
        data: {
          entries: [{ path: 'data', type: 'symlink', target: to('data') }, { path: 'work', type: 'symlink', target: to('work') }],
          config: { Volumes: { '/data': {} }, WorkingDir: '/work/sub' },
        },
      };
      for (const [kind, { entries, config }] of Object.entries(linkImages)) {
        const name = `${pre}-${kind}`;
        await pushImage(plain, `tsman/${name}`, ['latest'], derived(bbLayer, [makeLayer(entries)], name, () => `/bin/sh -c #(nop) ADD ${name}.tar /`, { config }), { oci: true });
      }
    }

    // corrupt: valid manifest, but the stored layer blob is damaged after upload
    const corruptLayer = makeLayer([{ path: 'corrupt', type: 'dir' }, { path: 'corrupt/data', content: prng('tsman-corrupt', 64 * 1024) }]);
    const corrupt = derived(bbLayer, [corruptLayer], 'corrupt', () => '/bin/sh -c #(nop) ADD corrupt.tar /');
    await pushImage(plain, 'tsman/corrupt', ['latest'], corrupt);
    {
      const file = blobDataPath(corruptLayer.digest);
      const off = Math.floor(corruptLayer.size / 2);
      // Computed from the original bytes, so a re-run leaves the same damage instead of undoing it.
      const bad = Buffer.from(corruptLayer.gz.subarray(off, off + 16).map((b) => b ^ 0xff));
      let fd;
      try {
        fd = fs.openSync(file, 'r+');
      } catch (err) {
        throw new Error(`corrupt: open \`${file}\`: ${err.code || err.message} (run build.mjs as the user the registry runs as, usually root, with the same TSMAN_REGISTRY_DIR)`);
      }
      try { fs.writeSync(fd, bad, 0, bad.length, off); } finally { fs.closeSync(fd); }
      const got = sha256(fs.readFileSync(file));
      if (got === corruptLayer.digest) throw new Error(`corrupting ${file} failed`);
      pushed[pushed.length - 1].corruptedLayer = { digest: corruptLayer.digest, file, offset: off, length: bad.length, actualDigest: got };
    }

    // nolayer-blob: a manifest whose layer blob the registry does not have.
    // distribution refuses such manifests (MANIFEST_BLOB_UNKNOWN), so push it with
    // the blob and then delete the blob from the repository (DELETE, deletes are on).
    const missingLayer = makeLayer([{ path: 'missing', type: 'dir' }, { path: 'missing/file', content: 'this layer is never downloadable\n' }]);
    const nolayer = derived(bbLayer, [missingLayer], 'nolayer-blob', () => '/bin/sh -c #(nop) ADD missing.tar /');
    {
      await plain.pushBlob('tsman/nolayer-blob', bbLayer.gz, bbLayer.digest);
      await plain.pushBlob('tsman/nolayer-blob', nolayer.config);
      const manifest = makeManifest(nolayer, false);
      let direct = false;
      if (!(await plain.blobExists('tsman/nolayer-blob', missingLayer.digest))) {
        const res = await plain.putManifest('tsman/nolayer-blob', 'latest', manifest, MT.dockerManifest);
        direct = res.status === 201;
      }
      if (!direct) await pushImage(plain, 'tsman/nolayer-blob', ['latest'], nolayer, { record: false });
      await plain.deleteBlob('tsman/nolayer-blob', missingLayer.digest);
      if (await plain.blobExists('tsman/nolayer-blob', missingLayer.digest)) throw new Error('nolayer-blob: layer blob still present');
      note(plain, 'tsman/nolayer-blob', 'latest', sha256(manifest), MT.dockerManifest, nolayer, { missingLayer: missingLayer.digest });
    }

    const summary = {
      built: new Date().toISOString(),
      registry: PLAIN,
      registryTLS: TLS,
      busyboxApplets: applets.length,
      longPath: '/' + LONG_PATH,
      images: pushed,
    };
    fs.writeFileSync(IMAGES_JSON, JSON.stringify(summary, null, 2) + '\n');
    fs.writeFileSync(STAMP, JSON.stringify({ hash, images: pushed.map(({ ref, digest }) => ({ ref, digest })) }, null, 2) + '\n');
    log(`pushed ${pushed.length} image references in ${((Date.now() - t0) / 1000).toFixed(1)}s; details in ${IMAGES_JSON}`);
  } finally {
    plain.close();
    tls.close();
  }
}

main().catch((err) => {
  console.error(`build.mjs: ${err.stack || err.message}`);
  process.exit(1);
});
