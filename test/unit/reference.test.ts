import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseReference, isShortName, normalize, refString, familiarString, isImageId, registryHost, withDefaultTag,
} from '../../src/image/reference.js';
import { selectManifest, parsePlatform, hostPlatform, wantedPlatforms } from '../../src/image/platform.js';
import { MediaType, guessManifestType, layerCompression, isForeignLayer } from '../../src/image/mediatypes.js';
import type { Index, Descriptor, Platform } from '../../src/image/mediatypes.js';
import { TsmanError } from '../../src/errors.js';

const D = 'sha256:' + 'a'.repeat(64);

function usageError(s: string, message: string): void {
  assert.throws(() => parseReference(s), (err: unknown) => {
    assert.ok(err instanceof TsmanError);
    assert.equal(err.code, 'EUSAGE');
    assert.equal(err.message, message);
    return true;
  }, s);
}

describe('parseReference', () => {
  it('parses the docker grammar', () => {
    assert.deepEqual(parseReference('busybox'), { repository: 'busybox' });
    assert.deepEqual(parseReference('foo:bar'), { repository: 'foo', tag: 'bar' });
    assert.deepEqual(parseReference('library/busybox:1.36'), { repository: 'library/busybox', tag: '1.36' });
    assert.deepEqual(parseReference('docker.io/busybox'), { registry: 'docker.io', repository: 'busybox' });
    assert.deepEqual(parseReference('localhost/foo'), { registry: 'localhost', repository: 'foo' });
    assert.deepEqual(parseReference('127.0.0.1:5000/a/b'), { registry: '127.0.0.1:5000', repository: 'a/b' });
    assert.deepEqual(parseReference('[::1]:5000/x:y'), { registry: '[::1]:5000', repository: 'x', tag: 'y' });
    assert.deepEqual(parseReference(`localhost:5000/a/b-c__d.e:v1.0_x@${D}`), {
      registry: 'localhost:5000', repository: 'a/b-c__d.e', tag: 'v1.0_x', digest: D,
    });
    assert.deepEqual(parseReference(`quay.io/a/b@${D}`), { registry: 'quay.io', repository: 'a/b', digest: D });
    assert.deepEqual(parseReference('Quay.IO/a'), { registry: 'Quay.IO', repository: 'a' });
  });

  it('refuses bad references with podman\'s messages', () => {
    usageError('FOO', 'repository name must be lowercase');
    usageError('foo/Bar', 'repository name must be lowercase');
    usageError('127.0.0.1:5055/Foo', 'repository name must be lowercase');
    usageError('Foo/bar', 'invalid reference format: repository name must be lowercase');
    usageError('a b', 'invalid reference format');
    usageError('foo:bar:baz', 'invalid reference format');
    usageError('foo:-x', 'invalid reference format');
    usageError('foo@sha256:abc', 'invalid reference format');
    usageError('', 'repository name must have at least one component');
    usageError(`foo@sha256:${'a'.repeat(63)}`, 'invalid checksum digest length');
    usageError(`foo@md5:${'a'.repeat(64)}`, 'unsupported digest algorithm');
    usageError('a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`);
    usageError(`x/${'a'.repeat(254)}`, 'repository name must not be more than 255 characters');
    usageError('foo/', 'invalid reference format');
    usageError('foo//bar', 'invalid reference format');
    usageError('-foo', 'invalid reference format');
  });

  it('tells short names', () => {
    for (const s of ['busybox', 'library/busybox', 'foo:tag', 'a/b/c', `x@${D}`]) assert.equal(isShortName(s), true, s);
    for (const s of ['docker.io/busybox', 'localhost/x', 'host:5000/x', 'quay.io/a/b:c']) assert.equal(isShortName(s), false, s);
  });

  it('normalizes with the docker.io rules and prints podman\'s form', () => {
    const n = (s: string, reg?: string) => refString(normalize(parseReference(s), reg));
    assert.equal(n('busybox'), 'docker.io/library/busybox:latest');
    assert.equal(n('docker.io/busybox'), 'docker.io/library/busybox:latest');
    assert.equal(n('index.docker.io/foo/bar:1'), 'docker.io/foo/bar:1');
    assert.equal(n('busybox', 'quay.io'), 'quay.io/busybox:latest');
    assert.equal(n(`busybox@${D}`), `docker.io/library/busybox@${D}`);
    assert.equal(n(`busybox:1@${D}`), `docker.io/library/busybox:1@${D}`);
    assert.equal(n('localhost:5000/x'), 'localhost:5000/x:latest');
    assert.deepEqual(withDefaultTag(parseReference('x')), { repository: 'x', tag: 'latest' });
    assert.equal(familiarString(normalize(parseReference('busybox'))), 'busybox:latest');
    assert.equal(familiarString(normalize(parseReference('foo/bar:1'))), 'foo/bar:1');
    assert.equal(registryHost('docker.io'), 'registry-1.docker.io');
    assert.equal(registryHost('index.docker.io'), 'registry-1.docker.io');
    assert.equal(registryHost('quay.io'), 'quay.io');
  });

  it('recognizes image IDs', () => {
    assert.equal(isImageId('abc'), true);
    assert.equal(isImageId('a'.repeat(64)), true);
    assert.equal(isImageId('ab'), false);
    assert.equal(isImageId('ABC'), false);
    assert.equal(isImageId('a'.repeat(65)), false);
    assert.equal(isImageId('xyz'), false);
  });
});

describe('platform selection', () => {
  let n = 0;
  const entry = (p: Platform | undefined, annotations?: Record<string, string>): Descriptor => ({
    mediaType: MediaType.OCIManifest, digest: `sha256:${String(++n).padStart(64, '0')}`, size: 1, ...(p ? { platform: p } : {}), ...(annotations ? { annotations } : {}),
  });
  const list = (mediaType: string, ...m: Descriptor[]): Index => ({ schemaVersion: 2, mediaType, manifests: m });
  const oci = (...m: Descriptor[]) => list(MediaType.OCIIndex, ...m);
  const docker = (...m: Descriptor[]) => list(MediaType.DockerManifestList, ...m);

  it('follows c/image\'s variant preferences', () => {
    const a64 = entry({ os: 'linux', architecture: 'arm64' });
    const a64v8 = entry({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.equal(selectManifest(oci(a64v8), { os: 'linux', architecture: 'arm64' }), a64v8);
    assert.equal(selectManifest(oci(a64v8, a64), { os: 'linux', architecture: 'arm64' }), a64);
    assert.equal(selectManifest(oci(a64, a64v8), { os: 'linux', architecture: 'arm64', variant: 'v8' }), a64v8);

    const v6 = entry({ os: 'linux', architecture: 'arm', variant: 'v6' });
    const v7 = entry({ os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.equal(selectManifest(oci(v6, v7), { os: 'linux', architecture: 'arm' }), v7);
    assert.equal(selectManifest(oci(v6), { os: 'linux', architecture: 'arm' }), v6);
    assert.equal(selectManifest(oci(v6, v7), { os: 'linux', architecture: 'arm', variant: 'v6' }), v6);
    assert.throws(() => selectManifest(oci(v7), { os: 'linux', architecture: 'arm', variant: 'v6' }), /variant "v6"/);

    const amd = entry({ os: 'linux', architecture: 'amd64' });
    const amdV3 = entry({ os: 'linux', architecture: 'amd64', variant: 'v3' });
    assert.equal(selectManifest(docker(amdV3), { os: 'linux', architecture: 'amd64' }), amdV3);
    assert.equal(selectManifest(docker(amdV3, amd), { os: 'linux', architecture: 'amd64' }), amd);
    assert.equal(selectManifest(docker(amd, amdV3), { os: 'linux', architecture: 'amd64', variant: 'v3' }), amdV3);
    assert.equal(selectManifest(docker(entry({ os: 'windows', architecture: 'amd64' }), amd), { os: 'linux', architecture: 'amd64' }), amd);
    assert.deepEqual(wantedPlatforms({ os: 'linux', architecture: 'arm64', variant: 'v9' }).map((p) => p.variant), ['v9', '']);
  });

  it('takes an OCI entry without platform last, and prefers gzip over zstd', () => {
    const none = entry(undefined);
    const s390 = entry({ os: 'linux', architecture: 's390x' });
    assert.equal(selectManifest(oci(none, s390), { os: 'linux', architecture: 's390x' }), s390);
    assert.equal(selectManifest(oci(none), { os: 'linux', architecture: 's390x' }), none);
    assert.throws(() => selectManifest(docker(none), { os: 'linux', architecture: 's390x' }), /no image found/);
    const zstd = entry({ os: 'linux', architecture: 'amd64' }, { 'io.github.containers.compression.zstd': 'true' });
    const gzip = entry({ os: 'linux', architecture: 'amd64' });
    assert.equal(selectManifest(oci(zstd, gzip), { os: 'linux', architecture: 'amd64' }), gzip);
    assert.equal(selectManifest(oci(gzip, zstd), { os: 'linux', architecture: 'amd64' }, { preferZstd: true }), zstd);
  });

  it('fails with podman\'s message', () => {
    const arm64 = entry({ os: 'linux', architecture: 'arm64' });
    const fails = (idx: Index, want: Parameters<typeof selectManifest>[1], msg: string) =>
      assert.throws(() => selectManifest(idx, want, { ref: 'docker://127.0.0.1:5055/idx:t' }), (err: unknown) => {
        assert.ok(err instanceof TsmanError);
        assert.equal(err.code, 'ENOMANIFEST');
        assert.equal(err.message, msg);
        return true;
      });
    fails(docker(arm64), { os: 'linux', architecture: 's390x' },
      'choosing an image from manifest list docker://127.0.0.1:5055/idx:t: no image found in manifest list for architecture s390x, variant "", OS linux');
    fails(oci(arm64), { os: 'linux', architecture: 'arm' },
      'choosing an image from manifest list docker://127.0.0.1:5055/idx:t: no image found in image index for architecture arm, variant "v7", OS linux');
  });

  it('parses --platform and knows the host', () => {
    assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(parsePlatform('linux/x86_64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(parsePlatform('aarch64'), { os: 'linux', architecture: 'arm64' });
    assert.throws(() => parsePlatform('a/b/c/d'), (e: unknown) => e instanceof TsmanError && e.code === 'EUSAGE');
    assert.throws(() => parsePlatform('linux/'), (e: unknown) => e instanceof TsmanError && e.code === 'EUSAGE');
    const h = hostPlatform();
    assert.equal(h.os, 'linux');
    const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
    assert.equal(h.architecture, expected[process.arch] ?? process.arch);
  });
});

describe('media types', () => {
  it('guesses manifest types and layer compression', () => {
    assert.equal(guessManifestType('{"schemaVersion":2,"manifests":[]}'), MediaType.OCIIndex);
    assert.equal(guessManifestType(`{"schemaVersion":2,"config":{"mediaType":"${MediaType.DockerConfig}"}}`), MediaType.DockerManifest);
    assert.equal(guessManifestType(`{"schemaVersion":2,"mediaType":"${MediaType.DockerManifestList}","manifests":[]}`), MediaType.DockerManifestList);
    assert.equal(guessManifestType('{"schemaVersion":1,"signatures":[]}'), MediaType.DockerSchema1Signed);
    assert.equal(guessManifestType('nope'), undefined);
    assert.equal(layerCompression(MediaType.DockerLayerGzip), 'gzip');
    assert.equal(layerCompression(MediaType.OCILayerZstd), 'zstd');
    assert.equal(layerCompression(MediaType.OCILayer), 'none');
    assert.equal(layerCompression(MediaType.OCIConfig), undefined);
    assert.equal(isForeignLayer(MediaType.DockerForeignLayerGzip), true);
    assert.equal(isForeignLayer(MediaType.OCILayerGzip), false);
  });
});
