// Shape checks for documents tsman did not write itself: manifests, indexes and image configs
// from a registry, and its own state files read back from disk. JSON.parse gives `unknown`; these
// turn it into the typed shapes the rest of the code relies on, or say where the document is
// wrong (`layers[0].digest: invalid checksum digest format`), so that no registry can reach the
// code as a TypeError, nor name a path with a digest like `sha256:../../x`.
//
// Hand-written rather than ajv over the specs' JSON Schemas: the checks are the schemas' (OCI
// image spec config/manifest/index, Docker schema2, go-digest's digest grammar) plus the types
// podman's Go structs would refuse (`"User": 5`), they cost microseconds, and loading and
// compiling ajv would cost every command tens of milliseconds.

/** c/image's limits for a manifest and an image config (iolimits.MaxManifestBodySize, MaxConfigBodySize). */
export const MAX_MANIFEST_SIZE = 4 << 20;
export const MAX_CONFIG_SIZE = 4 << 20;
/**
 * Deepest nesting a document may have. The specs' own documents are 4 levels deep; extra fields
 * (annotations, Docker's container_config) are kept and printed, and printing recurses.
 */
export const MAX_DEPTH = 64;

/** What is wrong with a document, and where (a path like `config.Env[2]`, '' for the whole). */
export class ShapeError extends Error {
  constructor(readonly at: string, readonly problem: string) {
    super(at ? `${at}: ${problem}` : problem);
    this.name = 'ShapeError';
  }
}

/** go-digest's registered algorithms and the length of their hex encoding. */
export const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** go-digest's DigestRegexpAnchored (the OCI descriptor schema's digest pattern). */
const DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const LOWER_HEX_RE = /^[a-f0-9]+$/;

/**
 * Why `s` is not a digest tsman can verify, in go-digest's words (Digest.Validate), or undefined
 * when it is one: `algorithm:hex`, a registered algorithm, exactly its length of lower-case hex.
 */
export function digestProblem(s: unknown): string | undefined {
  if (typeof s !== 'string') return `expected a digest, got ${typeName(s)}`;
  const i = s.indexOf(':');
  if (i <= 0 || i === s.length - 1) return 'invalid checksum digest format';
  const alg = s.slice(0, i);
  const hex = s.slice(i + 1);
  const want = Object.hasOwn(DIGEST_HEX_LENGTH, alg) ? DIGEST_HEX_LENGTH[alg] : undefined;
  if (want === undefined) return DIGEST_RE.test(s) ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  if (hex.length !== want) return 'invalid checksum digest length';
  if (!LOWER_HEX_RE.test(hex)) return 'invalid checksum digest format';
  return undefined;
}

export function isValidDigest(s: unknown): s is string {
  return digestProblem(s) === undefined;
}

/** `s` when it is a valid digest, else a ShapeError at `at` quoting it. */
export function checkDigest(s: unknown, at = ''): string {
  const p = digestProblem(s);
  if (p !== undefined) throw new ShapeError(at, typeof s === 'string' ? `${p}: ${quote(s)}` : p);
  return s as string;
}

/** The algorithm and hex of a digest already checked with checkDigest. */
export function splitDigest(d: string): { algorithm: DigestAlgorithm; hex: string } {
  const i = d.indexOf(':');
  return { algorithm: d.slice(0, i) as DigestAlgorithm, hex: d.slice(i + 1) };
}

/** A value for an error message: JSON-quoted (no terminal escapes get through), cut to 80 characters. */
export function quote(s: string): string {
  const q = JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}...` : s);
  return q;
}

export function typeName(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'a boolean';
    case 'object': return 'an object';
    default: return typeof v;
  }
}

// ---- building blocks -----------------------------------------------------------------------

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `at.key`, with JSON-ish quoting for keys that are not identifiers (`["os.version"]`). */
export function field(at: string, key: string): string {
  const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${quote(key)}]`;
  if (!at) return k;
  return k.startsWith('[') ? `${at}${k}` : `${at}.${k}`;
}

function fail(at: string, want: string, v: unknown): never {
  throw new ShapeError(at, `expected ${want}, got ${typeName(v)}`);
}

export function expectObject(v: unknown, at: string): Obj {
  if (!isObject(v)) fail(at, 'an object', v);
  return v;
}

export function expectArray(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) fail(at, 'an array', v);
  return v;
}

/** A required string member. */
export function reqString(o: Obj, key: string, at: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(field(at, key), 'a string', v);
  return v;
}

/** An optional string member (absent or, as Go reads it, null). */
export function optString(o: Obj, key: string, at: string): void {
  const v = o[key];
  if (v !== undefined && v !== null && typeof v !== 'string') fail(field(at, key), 'a string', v);
}

export function optBoolean(o: Obj, key: string, at: string): void {
  const v = o[key];
  if (v !== undefined && v !== null && typeof v !== 'boolean') fail(field(at, key), 'a boolean', v);
}

/** An optional integer member, within [min, max]. */
export function optInteger(o: Obj, key: string, at: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): void {
  const v = o[key];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(field(at, key), 'an integer', v);
  if (v < min || v > max) throw new ShapeError(field(at, key), `${v} is out of range`);
}

export function reqInteger(o: Obj, key: string, at: string, min?: number, max?: number): number {
  if (o[key] === undefined || o[key] === null) fail(field(at, key), 'an integer', o[key]);
  optInteger(o, key, at, min, max);
  return o[key] as number;
}

/** An optional array of strings (null allowed: Go reads it as an empty slice). */
export function optStringArray(o: Obj, key: string, at: string): void {
  const v = o[key];
  if (v === undefined || v === null) return;
  const a = expectArray(v, field(at, key));
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'string') fail(`${field(at, key)}[${i}]`, 'a string', a[i]);
}

export function reqStringArray(o: Obj, key: string, at: string): string[] {
  expectArray(o[key], field(at, key));
  optStringArray(o, key, at);
  return o[key] as string[];
}

/** An optional map of strings to strings (labels, annotations). */
export function optStringMap(o: Obj, key: string, at: string): void {
  const v = o[key];
  if (v === undefined || v === null) return;
  const m = expectObject(v, field(at, key));
  for (const k of Object.keys(m)) if (typeof m[k] !== 'string') fail(field(field(at, key), k), 'a string', m[k]);
}

/** An optional map of strings to objects (ExposedPorts, Volumes: Go's map[string]struct{}). */
export function optObjectMap(o: Obj, key: string, at: string): void {
  const v = o[key];
  if (v === undefined || v === null) return;
  const m = expectObject(v, field(at, key));
  for (const k of Object.keys(m)) if (m[k] !== null && !isObject(m[k])) fail(field(field(at, key), k), 'an object', m[k]);
}

/** An optional RFC 3339 time (Go's time.Time refuses anything else). */
export function optTime(o: Obj, key: string, at: string): void {
  const v = o[key];
  if (v === undefined || v === null) return;
  if (typeof v !== 'string') fail(field(at, key), 'a time string', v);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i.test(v) || Number.isNaN(Date.parse(v))) {
    throw new ShapeError(field(at, key), `not an RFC 3339 time: ${quote(v)}`);
  }
}

/**
 * The deepest nesting in `v` is at most `max` (counted without recursion: JSON.parse builds
 * documents a million levels deep, and everything that walks them later recurses).
 */
export function checkDepth(v: unknown, max = MAX_DEPTH): void {
  const stack: Array<{ v: unknown; d: number }> = [{ v, d: 0 }];
  while (stack.length > 0) {
    const { v: cur, d } = stack.pop()!;
    if (typeof cur !== 'object' || cur === null) continue;
    if (d >= max) throw new ShapeError('', `nested more than ${max} levels deep`);
    if (Array.isArray(cur)) for (const x of cur) stack.push({ v: x, d: d + 1 });
    else for (const k in cur) stack.push({ v: (cur as Obj)[k], d: d + 1 });
  }
}

/** JSON.parse of a document's bytes; a ShapeError when it is not JSON or nested too deeply. */
export function parseJson(body: Buffer | string): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (err) {
    throw new ShapeError('', `not valid JSON: ${(err as Error).message}`);
  }
  checkDepth(doc);
  return doc;
}

// ---- registry documents ----------------------------------------------------------------------

const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

function checkMediaType(o: Obj, key: string, at: string, required: boolean): void {
  const v = o[key];
  if (v === undefined && !required) return;
  if (typeof v !== 'string') fail(field(at, key), 'a media type string', v);
  if (!MEDIA_TYPE_RE.test(v)) throw new ShapeError(field(at, key), `invalid media type ${quote(v)}`);
}

function checkPlatform(v: unknown, at: string): void {
  const p = expectObject(v, at);
  reqString(p, 'architecture', at);
  reqString(p, 'os', at);
  optString(p, 'variant', at);
  optString(p, 'os.version', at);
  optStringArray(p, 'os.features', at);
  optStringArray(p, 'features', at);
}

/** An OCI content descriptor (the same shape in Docker's schema2 and manifest lists). */
export function checkDescriptor(v: unknown, at: string): void {
  const d = expectObject(v, at);
  checkMediaType(d, 'mediaType', at, true);
  checkDigest(d.digest, field(at, 'digest'));
  reqInteger(d, 'size', at, 0);
  optStringArray(d, 'urls', at);
  optStringMap(d, 'annotations', at);
  optString(d, 'artifactType', at);
  optString(d, 'data', at);
  if (d.platform !== undefined && d.platform !== null) checkPlatform(d.platform, field(at, 'platform'));
}

function checkSchemaVersion(o: Obj): void {
  if (o.schemaVersion !== 2) {
    throw new ShapeError('schemaVersion', o.schemaVersion === undefined ? 'missing' : `unsupported schema version ${JSON.stringify(o.schemaVersion)}`);
  }
}

/**
 * An image manifest (OCI or Docker schema2). `mediaType` is the type it was served as: a
 * document whose own mediaType, or shape, says it is something else is refused (c/image's
 * ValidateUnambiguousManifestFormat), so that it cannot be read one way and verified another.
 */
export function checkManifest(doc: unknown, mediaType?: string): import('./mediatypes.js').Manifest {
  const m = expectObject(doc, '');
  checkSchemaVersion(m);
  checkMediaType(m, 'mediaType', '', false);
  if (mediaType !== undefined && m.mediaType !== undefined && m.mediaType !== mediaType) {
    throw new ShapeError('mediaType', `${quote(m.mediaType as string)} does not match the type it was served as, ${quote(mediaType)}`);
  }
  if (m.manifests !== undefined) throw new ShapeError('manifests', 'an image manifest cannot have this field of an index');
  if (m.config === undefined) throw new ShapeError('config', 'missing');
  checkDescriptor(m.config, 'config');
  const layers = expectArray(m.layers, 'layers');
  for (let i = 0; i < layers.length; i++) checkDescriptor(layers[i], `layers[${i}]`);
  if (m.subject !== undefined && m.subject !== null) checkDescriptor(m.subject, 'subject');
  optStringMap(m, 'annotations', '');
  optString(m, 'artifactType', '');
  return m as unknown as import('./mediatypes.js').Manifest;
}

/** An OCI image index or a Docker manifest list. */
export function checkIndex(doc: unknown, mediaType?: string): import('./mediatypes.js').Index {
  const x = expectObject(doc, '');
  checkSchemaVersion(x);
  checkMediaType(x, 'mediaType', '', false);
  if (mediaType !== undefined && x.mediaType !== undefined && x.mediaType !== mediaType) {
    throw new ShapeError('mediaType', `${quote(x.mediaType as string)} does not match the type it was served as, ${quote(mediaType)}`);
  }
  for (const k of ['config', 'layers']) {
    if (x[k] !== undefined) throw new ShapeError(k, 'an index cannot have this field of an image manifest');
  }
  const list = expectArray(x.manifests, 'manifests');
  for (let i = 0; i < list.length; i++) checkDescriptor(list[i], `manifests[${i}]`);
  if (x.subject !== undefined && x.subject !== null) checkDescriptor(x.subject, 'subject');
  optStringMap(x, 'annotations', '');
  optString(x, 'artifactType', '');
  return x as unknown as import('./mediatypes.js').Index;
}

/** The container part of an image config (OCI's `config`, Docker's `config`/`container_config`). */
function checkContainerConfig(v: unknown, at: string): void {
  const c = expectObject(v, at);
  for (const k of ['User', 'WorkingDir', 'StopSignal', 'Hostname', 'Domainname', 'Image', 'MacAddress']) optString(c, k, at);
  for (const k of ['Env', 'Entrypoint', 'Cmd', 'OnBuild', 'Shell']) optStringArray(c, k, at);
  for (const k of ['ExposedPorts', 'Volumes']) optObjectMap(c, k, at);
  optStringMap(c, 'Labels', at);
  for (const k of ['ArgsEscaped', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'Tty', 'OpenStdin', 'StdinOnce', 'NetworkDisabled']) optBoolean(c, k, at);
  optInteger(c, 'StopTimeout', at);
  if (c.Healthcheck !== undefined && c.Healthcheck !== null) {
    const hat = field(at, 'Healthcheck');
    const h = expectObject(c.Healthcheck, hat);
    optStringArray(h, 'Test', hat);
    for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries']) optInteger(h, k, hat);
  }
}

/** An image configuration (OCI; Docker's is a superset, its extra members are kept as they are). */
export function checkImageConfig(doc: unknown): import('./mediatypes.js').ImageConfig {
  const c = expectObject(doc, '');
  optTime(c, 'created', '');
  for (const k of ['author', 'architecture', 'os', 'variant', 'os.version', 'comment', 'docker_version', 'container']) optString(c, k, '');
  optStringArray(c, 'os.features', '');
  if (c.config !== undefined && c.config !== null) checkContainerConfig(c.config, 'config');
  if (c.container_config !== undefined && c.container_config !== null) checkContainerConfig(c.container_config, 'container_config');
  const rootfs = expectObject(c.rootfs, 'rootfs');
  if (rootfs.type !== 'layers') {
    throw new ShapeError('rootfs.type', typeof rootfs.type === 'string' ? `unsupported type ${quote(rootfs.type)}` : `expected "layers", got ${typeName(rootfs.type)}`);
  }
  if (rootfs.diff_ids !== undefined && rootfs.diff_ids !== null) {
    const ids = expectArray(rootfs.diff_ids, 'rootfs.diff_ids');
    for (let i = 0; i < ids.length; i++) checkDigest(ids[i], `rootfs.diff_ids[${i}]`);
  }
  if (c.history !== undefined && c.history !== null) {
    const hist = expectArray(c.history, 'history');
    for (let i = 0; i < hist.length; i++) {
      const at = `history[${i}]`;
      const h = expectObject(hist[i], at);
      optTime(h, 'created', at);
      for (const k of ['author', 'created_by', 'comment']) optString(h, k, at);
      optBoolean(h, 'empty_layer', at);
    }
  }
  return c as unknown as import('./mediatypes.js').ImageConfig;
}
