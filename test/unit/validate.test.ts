// The checks between tsman and what it did not write itself: registry documents (src/image/
// validate.ts), store.json and stored configs (src/storage/store.ts), --format nesting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import {
  ShapeError, checkDepth, checkImageConfig, checkIndex, checkManifest, digestProblem, isValidDigest, parseJson, MAX_DEPTH,
} from '../../src/image/validate.js';
import { MediaType } from '../../src/image/mediatypes.js';
import { Store, checkStoreState } from '../../src/storage/store.js';
import type { Driver } from '../../src/storage/driver.js';
import { chainIds, imageIdOf } from '../../src/image/pull.js';
import { validateDigest } from '../../src/image/reference.js';
import { compileTemplate } from '../../src/format/template.js';
import { getCredentials } from '../../src/image/authfile.js';
import { findImage } from '../../src/engine/lookup.js';
import type { StoreState } from '../../src/storage/store.js';
import { TsmanError } from '../../src/errors.js';

const H64 = 'a'.repeat(64);
const D = `sha256:${H64}`;

/** fn throws a ShapeError whose message is `want` (or matches it). */
function shape(fn: () => unknown, want: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ShapeError, `not a ShapeError: ${String(e)}`);
    if (typeof want === 'string') assert.equal(e.message, want);
    else assert.match(e.message, want);
    return true;
  });
}

describe('digests (go-digest grammar)', () => {
  it('accepts sha256, sha384 and sha512 of exactly their length in lower-case hex', () => {
    for (const d of [D, `sha384:${'b'.repeat(96)}`, `sha512:${'c'.repeat(128)}`]) assert.equal(digestProblem(d), undefined, d);
  });
  it('refuses the rest with go-digest\'s messages', () => {
    const cases: [unknown, string][] = [
      ['sha256:../../../../tmp/x', 'invalid checksum digest length'],
      [`sha256:${'../'.repeat(21)}x`, 'invalid checksum digest format'],
      [`sha256:${H64.toUpperCase()}`, 'invalid checksum digest format'],
      [`sha256:${'g'.repeat(64)}`, 'invalid checksum digest format'],
      ['sha256:abc', 'invalid checksum digest length'],
      [`sha256:${H64}0`, 'invalid checksum digest length'],
      [`sha512:${H64}`, 'invalid checksum digest length'],
      [`md5:${'d'.repeat(32)}`, 'unsupported digest algorithm'],
      [`sha1:${'d'.repeat(40)}`, 'unsupported digest algorithm'],
      [`SHA256:${H64}`, 'invalid checksum digest format'],
      [`foo:../..`, 'invalid checksum digest format'],
      [H64, 'invalid checksum digest format'],
      ['sha256:', 'invalid checksum digest format'],
      [':abc', 'invalid checksum digest format'],
      ['', 'invalid checksum digest format'],
      ['../../etc/passwd', 'invalid checksum digest format'],
      [`sha256:${H64}\n`, 'invalid checksum digest length'],
      [`sha256:${'a'.repeat(63)}/`, 'invalid checksum digest format'],
      [5, 'expected a digest, got a number'],
      [null, 'expected a digest, got null'],
      [undefined, 'expected a digest, got nothing'],
      [[D], 'expected a digest, got an array'],
      [{}, 'expected a digest, got an object'],
    ];
    for (const [d, want] of cases) {
      assert.equal(digestProblem(d), want, JSON.stringify(d));
      assert.equal(isValidDigest(d), false);
    }
  });
  it('reference parsing uses the same check (a user-typed digest)', () => {
    assert.throws(() => validateDigest('sha256:../../x'), (e: unknown) => e instanceof TsmanError && e.code === 'EUSAGE' && e.message === 'invalid checksum digest length');
    assert.doesNotThrow(() => validateDigest(D));
  });
});

const desc = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ mediaType: MediaType.OCILayerGzip, digest: D, size: 10, ...over });
const manifest = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemaVersion: 2, mediaType: MediaType.OCIManifest, config: desc({ mediaType: MediaType.OCIConfig }), layers: [desc()], ...over,
});
const index = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemaVersion: 2, mediaType: MediaType.OCIIndex,
  manifests: [desc({ mediaType: MediaType.OCIManifest, platform: { architecture: 'amd64', os: 'linux' } })], ...over,
});
const config = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  created: '2024-01-01T00:00:00Z', architecture: 'amd64', os: 'linux',
  config: { Env: ['PATH=/bin'], Cmd: ['sh'], User: '1000:1000', Labels: { a: 'b' }, ExposedPorts: { '80/tcp': {} } },
  rootfs: { type: 'layers', diff_ids: [D] },
  history: [{ created: '2024-01-01T00:00:00.123456789Z', created_by: 'ADD x', empty_layer: false }],
  ...over,
});

describe('image manifests', () => {
  it('accepts OCI and Docker manifests, also without layers or mediaType', () => {
    checkManifest(manifest(), MediaType.OCIManifest);
    checkManifest(manifest({ mediaType: MediaType.DockerManifest }), MediaType.DockerManifest);
    checkManifest(manifest({ layers: [], mediaType: undefined }), MediaType.OCIManifest);
    checkManifest(manifest({ annotations: { a: 'b' }, subject: desc() }));
  });
  it('refuses wrong types, missing fields and bad digests, saying where', () => {
    const cases: [unknown, string | RegExp][] = [
      [null, 'expected an object, got null'],
      [[], 'expected an object, got an array'],
      ['manifest', 'expected an object, got a string'],
      [7, 'expected an object, got a number'],
      [{}, 'schemaVersion: missing'],
      [manifest({ schemaVersion: 1 }), 'schemaVersion: unsupported schema version 1'],
      [manifest({ schemaVersion: '2' }), 'schemaVersion: unsupported schema version "2"'],
      [manifest({ config: undefined }), 'config: missing'],
      [manifest({ config: null }), 'config: expected an object, got null'],
      [manifest({ config: 'sha256:x' }), 'config: expected an object, got a string'],
      [manifest({ config: desc({ digest: 'sha256:../../x' }) }), 'config.digest: invalid checksum digest length: "sha256:../../x"'],
      [manifest({ config: desc({ digest: undefined }) }), 'config.digest: expected a digest, got nothing'],
      [manifest({ config: desc({ size: '10' }) }), 'config.size: expected an integer, got a string'],
      [manifest({ config: desc({ size: -1 }) }), 'config.size: -1 is out of range'],
      [manifest({ config: desc({ size: 1.5 }) }), 'config.size: expected an integer, got a number'],
      [manifest({ config: desc({ size: 2 ** 60 }) }), 'config.size: expected an integer, got a number'],
      [manifest({ config: desc({ mediaType: 5 }) }), 'config.mediaType: expected a media type string, got a number'],
      [manifest({ config: desc({ mediaType: 'x/../../y' }) }), 'config.mediaType: invalid media type "x/../../y"'],
      [manifest({ layers: undefined }), 'layers: expected an array, got nothing'],
      [manifest({ layers: {} }), 'layers: expected an array, got an object'],
      [manifest({ layers: [null] }), 'layers[0]: expected an object, got null'],
      [manifest({ layers: [desc(), desc({ digest: `md5:${'d'.repeat(32)}` })] }), `layers[1].digest: unsupported digest algorithm: "md5:${'d'.repeat(32)}"`],
      [manifest({ layers: [desc({ digest: D.toUpperCase().replace('SHA256', 'sha256') })] }), /^layers\[0\]\.digest: invalid checksum digest format: /],
      [manifest({ layers: [desc({ urls: 'http://x' })] }), 'layers[0].urls: expected an array, got a string'],
      [manifest({ layers: [desc({ annotations: { a: 1 } })] }), 'layers[0].annotations.a: expected a string, got a number'],
      [manifest({ layers: [desc({ annotations: { 'org.x.y': null } })] }), 'layers[0].annotations["org.x.y"]: expected a string, got null'],
      [manifest({ annotations: [] }), 'annotations: expected an object, got an array'],
      [manifest({ manifests: [] }), 'manifests: an image manifest cannot have this field of an index'],
    ];
    for (const [doc, want] of cases) shape(() => checkManifest(doc, MediaType.OCIManifest), want);
  });
  it('refuses a document whose mediaType is not the type it was served as', () => {
    shape(() => checkManifest(manifest({ mediaType: MediaType.OCIIndex }), MediaType.OCIManifest),
      `mediaType: "${MediaType.OCIIndex}" does not match the type it was served as, "${MediaType.OCIManifest}"`);
  });
});

describe('image indexes', () => {
  it('accepts OCI indexes and Docker lists, entries without a platform too', () => {
    checkIndex(index(), MediaType.OCIIndex);
    checkIndex(index({ mediaType: MediaType.DockerManifestList }), MediaType.DockerManifestList);
    checkIndex(index({ manifests: [desc({ mediaType: MediaType.OCIManifest })] }));
    checkIndex(index({ manifests: [] }));
  });
  it('refuses wrong types and bad digests', () => {
    const p = (platform: unknown): Record<string, unknown> => index({ manifests: [desc({ mediaType: MediaType.OCIManifest, platform })] });
    const cases: [unknown, string][] = [
      [null, 'expected an object, got null'],
      [[], 'expected an object, got an array'],
      [index({ manifests: undefined }), 'manifests: expected an array, got nothing'],
      [index({ manifests: 'x' }), 'manifests: expected an array, got a string'],
      [index({ manifests: [1] }), 'manifests[0]: expected an object, got a number'],
      [index({ manifests: [desc({ digest: 'sha256:../../../etc/x' })] }), 'manifests[0].digest: invalid checksum digest length: "sha256:../../../etc/x"'],
      [p(5), 'manifests[0].platform: expected an object, got a number'],
      [p({ os: 'linux' }), 'manifests[0].platform.architecture: expected a string, got nothing'],
      [p({ os: 'linux', architecture: ['amd64'] }), 'manifests[0].platform.architecture: expected a string, got an array'],
      [p({ os: 'linux', architecture: 'arm', variant: 7 }), 'manifests[0].platform.variant: expected a string, got a number'],
      [p({ os: 'linux', architecture: 'amd64', 'os.features': 'x' }), 'manifests[0].platform["os.features"]: expected an array, got a string'],
      [index({ layers: [] }), 'layers: an index cannot have this field of an image manifest'],
      [index({ config: {} }), 'config: an index cannot have this field of an image manifest'],
    ];
    for (const [doc, want] of cases) shape(() => checkIndex(doc, MediaType.OCIIndex), want);
  });
});

describe('image configs', () => {
  it('accepts OCI and Docker configs, null where Go reads null as unset', () => {
    checkImageConfig(config());
    checkImageConfig(config({ config: undefined, history: undefined, created: undefined }));
    checkImageConfig(config({ rootfs: { type: 'layers' } }));
    checkImageConfig(config({
      config: { User: null, Cmd: null, Entrypoint: null, Env: null, Labels: null, Volumes: null, ExposedPorts: { '80/tcp': null } },
      container_config: { Cmd: ['/bin/sh', '-c', '#(nop) CMD'] }, docker_version: '24.0.0', container: 'abc',
    }));
    checkImageConfig(config({ created: '2024-01-01T00:00:00+02:00' }));
  });
  it('refuses wrong types (Go\'s json.Unmarshal would), saying where', () => {
    const cc = (c: Record<string, unknown>): Record<string, unknown> => config({ config: { Cmd: ['sh'], ...c } });
    const cases: [unknown, string][] = [
      [null, 'expected an object, got null'],
      [[], 'expected an object, got an array'],
      ['{}', 'expected an object, got a string'],
      [{}, 'rootfs: expected an object, got nothing'],
      [config({ rootfs: null }), 'rootfs: expected an object, got null'],
      [config({ rootfs: { type: 'tarball', diff_ids: [] } }), 'rootfs.type: unsupported type "tarball"'],
      [config({ rootfs: { diff_ids: [] } }), 'rootfs.type: expected "layers", got nothing'],
      [config({ rootfs: { type: 'layers', diff_ids: D } }), 'rootfs.diff_ids: expected an array, got a string'],
      [config({ rootfs: { type: 'layers', diff_ids: ['sha256:../../../../tmp/x'] } }), 'rootfs.diff_ids[0]: invalid checksum digest length: "sha256:../../../../tmp/x"'],
      [config({ rootfs: { type: 'layers', diff_ids: [D, 5] } }), 'rootfs.diff_ids[1]: expected a digest, got a number'],
      [cc({ User: 5 }), 'config.User: expected a string, got a number'],
      [cc({ User: { name: 'root' } }), 'config.User: expected a string, got an object'],
      [cc({ Cmd: 'sh -c true' }), 'config.Cmd: expected an array, got a string'],
      [cc({ Cmd: ['sh', null] }), 'config.Cmd[1]: expected a string, got null'],
      [cc({ Entrypoint: {} }), 'config.Entrypoint: expected an array, got an object'],
      [cc({ Env: { A: 'b' } }), 'config.Env: expected an array, got an object'],
      [cc({ Env: ['A=b', 7] }), 'config.Env[1]: expected a string, got a number'],
      [cc({ Labels: { a: 1 } }), 'config.Labels.a: expected a string, got a number'],
      [cc({ Labels: ['a'] }), 'config.Labels: expected an object, got an array'],
      [cc({ ExposedPorts: ['80/tcp'] }), 'config.ExposedPorts: expected an object, got an array'],
      [cc({ Volumes: { '/data': 'yes' } }), 'config.Volumes["/data"]: expected an object, got a string'],
      [cc({ WorkingDir: false }), 'config.WorkingDir: expected a string, got a boolean'],
      [cc({ StopSignal: 9 }), 'config.StopSignal: expected a string, got a number'],
      [cc({ ArgsEscaped: 'true' }), 'config.ArgsEscaped: expected a boolean, got a string'],
      [cc({ Healthcheck: { Test: 'true' } }), 'config.Healthcheck.Test: expected an array, got a string'],
      [cc({ Healthcheck: { Interval: '30s' } }), 'config.Healthcheck.Interval: expected an integer, got a string'],
      [cc({ OnBuild: 'RUN x' }), 'config.OnBuild: expected an array, got a string'],
      [config({ config: [] }), 'config: expected an object, got an array'],
      [config({ config: 'x' }), 'config: expected an object, got a string'],
      [config({ container_config: { User: 0 } }), 'container_config.User: expected a string, got a number'],
      [config({ created: 5 }), 'created: expected a time string, got a number'],
      [config({ created: 'yesterday' }), 'created: not an RFC 3339 time: "yesterday"'],
      [config({ created: '2024-13-01T00:00:00Z' }), 'created: not an RFC 3339 time: "2024-13-01T00:00:00Z"'],
      [config({ architecture: ['amd64'] }), 'architecture: expected a string, got an array'],
      [config({ os: 1 }), 'os: expected a string, got a number'],
      [config({ 'os.features': 'x' }), '["os.features"]: expected an array, got a string'],
      [config({ history: {} }), 'history: expected an array, got an object'],
      [config({ history: [null] }), 'history[0]: expected an object, got null'],
      [config({ history: [{ empty_layer: 'yes' }] }), 'history[0].empty_layer: expected a boolean, got a string'],
      [config({ history: [{ created_by: ['RUN'] }] }), 'history[0].created_by: expected a string, got an array'],
    ];
    for (const [doc, want] of cases) shape(() => checkImageConfig(doc), want);
  });
});

describe('document bytes', () => {
  it('non-JSON and truncated JSON are a ShapeError that says so', () => {
    shape(() => parseJson(''), /^not valid JSON: Unexpected end of JSON input/);
    shape(() => parseJson('{"rootfs": '), /^not valid JSON: /);
    shape(() => parseJson(Buffer.from('<html>')), /^not valid JSON: /);
  });
  it('refuses nesting deeper than the limit without recursing (a million levels)', () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    assert.doesNotThrow(() => parseJson(deep(MAX_DEPTH)));
    shape(() => parseJson(deep(MAX_DEPTH + 1)), `nested more than ${MAX_DEPTH} levels deep`);
    shape(() => parseJson(deep(1_000_000)), `nested more than ${MAX_DEPTH} levels deep`);
    shape(() => parseJson(`{"config": {"Labels": ${'{"a": '.repeat(200)}1${'}'.repeat(200)}}}`), /nested more than/);
    shape(() => checkDepth({ a: { b: { c: {} } } }, 3), 'nested more than 3 levels deep');
  });
  it('a huge but flat document is checked in well under a second', () => {
    const big = JSON.stringify(config({ config: { Env: Array.from({ length: 100_000 }, (_, i) => `V${i}=x`) } }));
    const t = Date.now();
    checkImageConfig(parseJson(big));
    assert.ok(Date.now() - t < 1000);
  });
});

describe('ids from documents', () => {
  it('the image id is the sha256 of the config bytes, whatever the manifest digests it with', () => {
    const body = Buffer.from('{"rootfs":{"type":"layers","diff_ids":[]}}');
    assert.equal(imageIdOf(body), createHash('sha256').update(body).digest('hex'));
    assert.match(imageIdOf(body), /^[a-f0-9]{64}$/);
  });
  it('layer ids are sha256 hex for sha512 diff ids too (they name directories)', () => {
    const d512 = `sha512:${'e'.repeat(128)}`;
    const ids = chainIds([d512, D]);
    assert.equal(ids.length, 2);
    for (const id of ids) assert.match(id, /^[a-f0-9]{64}$/);
    assert.equal(ids[0], createHash('sha256').update(d512).digest('hex'));
    // sha256 images keep their OCI chain ids
    assert.deepEqual(chainIds([D]), [H64]);
    assert.equal(chainIds([D, D])[1], createHash('sha256').update(`sha256:${H64} ${D}`).digest('hex'));
  });
});

const fakeDriver = { name: 'vfs' } as unknown as Driver;
const goodState = (): Record<string, unknown> => ({
  version: 1, driver: 'vfs',
  images: [{ id: H64, names: ['r/x:latest'], digests: [D], digest: D, layers: ['b'.repeat(64)], created: 'c', pulled: 'p', size: 1, manifestMediaType: MediaType.OCIManifest }],
  layers: [{ id: 'b'.repeat(64), diffDigest: D, size: 1, created: 'c' }],
});

describe('store.json read back', () => {
  it('accepts what tsman writes, and legacy sha512 image ids', () => {
    checkStoreState(goodState());
    const s = goodState();
    (s.images as Record<string, unknown>[])[0]!.id = `sha512:${'f'.repeat(128)}`;
    checkStoreState(s);
    checkStoreState({ ...goodState(), containers: [], volumes: [] });
  });
  it('refuses damaged or hand-edited files, ids that would name paths above all', () => {
    const edit = (f: (s: Record<string, any>) => void): Record<string, unknown> => { const s = goodState(); f(s); return s; };
    const cases: [unknown, string][] = [
      [{}, 'version: missing'],
      [null, 'expected an object, got null'],
      [[], 'expected an object, got an array'],
      [edit((s) => { s.version = 2; }), 'version: unsupported version 2'],
      [edit((s) => { delete s.driver; }), 'driver: expected a string, got nothing'],
      [edit((s) => { delete s.images; }), 'images: expected an array, got nothing'],
      [edit((s) => { s.layers = {}; }), 'layers: expected an array, got an object'],
      [edit((s) => { s.images[0] = null; }), 'images[0]: expected an object, got null'],
      [edit((s) => { s.images[0].id = '../../../etc'; }), 'images[0].id: not an id: "../../../etc"'],
      [edit((s) => { s.images[0].id = 5; }), 'images[0].id: expected an id, got number'],
      [edit((s) => { s.images[0].id = 'sha256:' + H64; }), `images[0].id: not an id: "sha256:${H64}"`],
      [edit((s) => { s.images[0].layers = ['/etc']; }), 'images[0].layers[0]: not an id: "/etc"'],
      [edit((s) => { delete s.images[0].names; }), 'images[0].names: expected an array, got nothing'],
      [edit((s) => { s.images[0].names = [1]; }), 'images[0].names[0]: expected a string, got a number'],
      [edit((s) => { s.images[0].size = 'big'; }), 'images[0].size: expected an integer, got a string'],
      [edit((s) => { s.layers[0].id = '..'; }), 'layers[0].id: not an id: ".."'],
      [edit((s) => { s.layers[0].parent = '../x'; }), 'layers[0].parent: not an id: "../x"'],
      [edit((s) => { s.containers = {}; }), 'containers: expected an array, got an object'],
      [edit((s) => { s.containers = [{ id: '../../x', name: 'x', imageId: '', created: '', config: {} }]; }), 'containers[0].id: not an id: "../../x"'],
      [edit((s) => { s.containers = [{ id: H64, name: 'x', imageId: '', created: '' }]; }), 'containers[0].config: expected an object, got nothing'],
      [edit((s) => { s.volumes = [{ name: '../../etc', mountpoint: '/etc' }]; }), 'volumes[0].name: not a volume name: "../../etc"'],
    ];
    for (const [doc, want] of cases) shape(() => checkStoreState(doc), want);
  });
  it('Store.read names the file and never throws a TypeError', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tsman-validate-'));
    try {
      const store = await Store.open(root, path.join(root, 'run'), fakeDriver);
      mkdirSync(store.dir, { recursive: true });
      for (const [text, want] of [
        ['{}', 'version: missing'], ['null', 'expected an object, got null'], ['[]', 'expected an object, got an array'],
        ['{"version": 1, "driver": "vfs", "ima', 'not valid JSON'], ['', 'not valid JSON'],
        [JSON.stringify({ version: 1, driver: 'vfs', images: [] }), 'layers: expected an array, got nothing'],
      ] as const) {
        writeFileSync(store.stateFile, text);
        assert.throws(() => store.read(), (e: unknown) => {
          assert.ok(e instanceof TsmanError, String(e));
          assert.equal(e.code, 'ESTORAGE');
          assert.ok(e.message.startsWith(`${store.stateFile} is corrupt: ${want}`), e.message);
          assert.equal(e.hint, 'tsman system reset');
          return true;
        }, text);
      }
      writeFileSync(store.stateFile, JSON.stringify(goodState()));
      assert.equal(store.read().images.length, 1);
      // a damaged volatile file's bad records are left out, not trusted
      writeFileSync(store.volatileFile, JSON.stringify({ containers: [null, { id: '../x', config: {} }, 5, { id: 'c'.repeat(64), name: 'n', imageId: '', created: 'x', config: { autoRemove: true } }] }));
      assert.deepEqual(store.read().containers?.map((c) => c.id), ['c'.repeat(64)]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('readConfig checks a stored config and names its file; refuses one above the size limit unread', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tsman-validate-'));
    try {
      const store = await Store.open(root, path.join(root, 'run'), fakeDriver);
      mkdirSync(store.imageDir(H64), { recursive: true });
      const file = path.join(store.imageDir(H64), 'config');
      writeFileSync(file, JSON.stringify(config()));
      assert.equal((await store.readConfig(H64)).os, 'linux');
      for (const [body, want] of [
        [JSON.stringify(config({ config: { User: 5 } })), 'config.User: expected a string, got a number'],
        ['null', 'expected an object, got null'],
        ['{"rootfs"', 'not valid JSON'],
        [' '.repeat(5 << 20), '5242880 bytes exceeded maximum allowed size of 4194304 bytes'],
      ] as const) {
        writeFileSync(file, body);
        await assert.rejects(store.readConfig(H64), (e: unknown) => {
          assert.ok(e instanceof TsmanError, String(e));
          assert.ok(e.message.startsWith(`${file} is corrupt: ${want}`), e.message);
          return true;
        });
      }
      await assert.rejects(store.readConfig('../../../etc'), /not an image id/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('--format nesting', () => {
  const fails = (src: string, want: RegExp): void => {
    assert.throws(() => compileTemplate(src).execute({}), (e: unknown) => {
      assert.ok(e instanceof TsmanError, `not a TsmanError: ${String(e)}`);
      assert.match(e.message, want);
      return true;
    });
  };
  it('refuses actions and parentheses nested deeper than the limit, at parse time', () => {
    const n = 5000;
    fails('{{if 1}}'.repeat(n) + 'x' + '{{end}}'.repeat(n), /max expression depth exceeded/);
    fails(`{{${'('.repeat(n)}1${')'.repeat(n)}}}`, /max expression depth exceeded/);
    fails(`{{if 0}}${'{{else if 0}}'.repeat(n)}{{end}}`, /max expression depth exceeded/);
    fails(`{{define "a"}}${'{{with .}}'.repeat(n)}{{end}}`, /max expression depth exceeded/);
    fails('{{range .}}'.repeat(n) + '{{end}}'.repeat(n), /max expression depth exceeded/);
  });
  it('runs nesting within the limit', () => {
    const n = 500;
    assert.equal(compileTemplate('{{if 1}}'.repeat(n) + 'x' + '{{end}}'.repeat(n)).execute({}), 'x');
    assert.equal(compileTemplate(`{{${'('.repeat(n)}1${')'.repeat(n)}}}`).execute({}), '1');
  });
  it('templates recursing through nested actions end in an error, not a stack overflow', () => {
    fails('{{define "a"}}{{if 1}}{{if 1}}{{if 1}}{{template "a" .}}{{end}}{{end}}{{end}}{{end}}{{template "a" .}}', /exceeded maximum template depth/);
  });
});

describe('auth.json entries read back', () => {
  it('an entry of the wrong type is an error naming the file, a null one is skipped', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tsman-validate-'));
    try {
      const file = path.join(root, 'auth.json');
      const opts = { authfile: file, home: root, env: { HOME: root, XDG_RUNTIME_DIR: root } };
      for (const [auths, want] of [
        [{ 'r.example': { auth: 5 } }, 'auths["r.example"].auth: expected a string, got a number'],
        [{ 'r.example': 'dXNlcjpwYXNz' }, 'auths["r.example"]: expected an object, got a string'],
        [{ 'r.example': { auth: 'dXNlcjpwYXNz', identitytoken: ['x'] } }, 'auths["r.example"].identitytoken: expected a string, got an array'],
      ] as const) {
        writeFileSync(file, JSON.stringify({ auths }));
        await assert.rejects(getCredentials('r.example', opts), (e: unknown) => {
          assert.ok(e instanceof TsmanError, String(e));
          assert.equal(e.message, `reading JSON file ${JSON.stringify(file)}: unmarshaling JSON at ${JSON.stringify(file)}: ${want}`);
          return true;
        });
      }
      writeFileSync(file, JSON.stringify({ auths: { 'r.example': null } }));
      assert.equal(await getCredentials('r.example', opts), undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('image ids typed by a user', () => {
  it('a legacy sha512 id (recorded before ids were the config\'s sha256) is found by what `images` shows of it', () => {
    const st = goodState() as unknown as StoreState;
    const legacy = `sha512:${'e99fc'.padEnd(128, '0')}`;
    st.images.push({ ...st.images[0]!, id: legacy, names: [] });
    assert.equal(findImage(st, legacy.slice(0, 12))?.id, legacy);
    assert.equal(findImage(st, legacy)?.id, legacy);
    assert.equal(findImage(st, H64.slice(0, 12))?.id, H64);
  });
  it('path-like input finds nothing', () => {
    const st = goodState() as unknown as StoreState;
    for (const s of ['sha256:../../x', '../../etc', 'sha512:../../x', '/etc/passwd', '..', `sha256:${H64}/..`]) assert.equal(findImage(st, s), undefined, s);
  });
});
