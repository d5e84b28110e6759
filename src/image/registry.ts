// A client of the OCI distribution API (docker registry v2) in the manner of containers/image's
// docker client: https with fallback to http for insecure registries, certs.d directories,
// Bearer/Basic auth from the ping's challenge, digest-verified manifests and blobs.

import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { promises as fsp, createWriteStream, createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TsmanError, errnoCode, wrapError, type ErrorCode } from '../errors.js';
import { guessManifestType } from './mediatypes.js';
import { registryHost } from './reference.js';
import { MAX_MANIFEST_SIZE, digestProblem, isObject } from './validate.js';

export type RegistryCredentials = { username: string; password: string } | { identityToken: string };

export interface RegistryClientOptions {
  /** host[:port] as in the reference (docker.io is talked to at registry-1.docker.io) */
  registry: string;
  /** allow http and skip TLS verification */
  insecure: boolean;
  /** a certs.d/<host:port> directory: *.crt are CAs, *.cert + *.key a client certificate */
  certDir?: string;
  credentials?: RegistryCredentials;
  userAgent?: string;
  /** socket idle timeout (default 60 s) */
  timeoutMs?: number;
  /** first retry delay, doubled per attempt (default 500 ms) */
  retryDelayMs?: number;
  /** uploads above this many bytes go in PATCH chunks of this size (default 32 MiB) */
  chunkSize?: number;
}

export interface FetchBlobOptions {
  size?: number;
  /** bytes written so far by the current attempt (starts again from 0 on a retry) */
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
}

interface Challenge { scheme: string; params: Record<string, string> }
type Body = Buffer | (() => Readable) | undefined;
interface FetchOpts { headers?: Record<string, string>; body?: Body; scopes: string[]; signal?: AbortSignal }

const MAX_ERROR_BODY = 64 << 10;
const ATTEMPTS = 3;
const TRANSIENT_NET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE']);
const UNKNOWN_CA = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);
const transientErrors = new WeakSet<object>();
// Go (podman) trusts the system's CA bundle; Node's built-in list is the fallback.
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem', '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', '/etc/ssl/cert.pem'];
let systemRootsP: Promise<readonly string[]> | undefined;
function systemRoots(): Promise<readonly string[]> {
  systemRootsP ??= (async () => {
    // what Node would have added from NODE_EXTRA_CA_CERTS (bin/tsman passes it on under this
    // name so that Node does not parse it at every start)
    const extraFile = process.env.TSMAN_EXTRA_CA_CERTS || process.env.NODE_EXTRA_CA_CERTS;
    const extra = extraFile ? [await fsp.readFile(extraFile, 'utf8').catch(() => '')].filter((p) => p.includes('BEGIN CERTIFICATE')) : [];
    for (const f of SYSTEM_BUNDLES) {
      const pem = await fsp.readFile(f, 'utf8').catch(() => '');
      if (pem.includes('BEGIN CERTIFICATE')) return [pem, ...extra];
    }
    return [...tls.rootCertificates, ...extra];
  })();
  return systemRootsP;
}
const finalUrls = new WeakMap<http.IncomingMessage, URL>();

function markTransient<T extends object>(e: T): T {
  transientErrors.add(e);
  return e;
}

/** The text of a Go net/http error for `err` on `url` (what podman prints). */
function netMessage(err: NodeJS.ErrnoException & { address?: string; port?: number }, url: URL, reading = false): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const addr = err.address ? `${err.address.includes(':') ? `[${err.address}]` : err.address}:${err.port ?? port}` : `${url.hostname}:${port}`;
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return `dial tcp ${addr}: connect: connection refused`;
  if (code === 'ENOTFOUND') return `dial tcp: lookup ${url.hostname}: no such host`;
  if (code === 'EAI_AGAIN') return `dial tcp: lookup ${url.hostname}: temporary failure in name resolution`;
  if (code === 'ETIMEDOUT') return `${reading ? 'read' : 'dial'} tcp ${addr}: i/o timeout`;
  if (code === 'EHOSTUNREACH') return `dial tcp ${addr}: connect: no route to host`;
  if (code === 'ENETUNREACH') return `dial tcp ${addr}: connect: network is unreachable`;
  if (code === 'ECONNRESET') return `read tcp ${addr}: read: connection reset by peer`;
  if (code === 'EPROTO' && /wrong version number|packet length too long/.test(err.message)) return 'http: server gave HTTP response to HTTPS client';
  if (UNKNOWN_CA.has(code)) return 'x509: certificate signed by unknown authority';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'x509: certificate has expired or is not yet valid';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `x509: certificate is not valid for ${url.hostname}`;
  return err.message;
}

const goMethod = (m: string): string => m[0] + m.slice(1).toLowerCase();

/** Text from a registry made safe for a terminal: control characters shown as escapes. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' || c === '\t' ? ' ' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** The registry's error document as errcode prints it (`manifest unknown: manifest unknown`). */
function registryErrorText(status: number, body: Buffer): string {
  return printable(errorDocumentText(status, body));
}

function errorDocumentText(status: number, body: Buffer): string {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    if (Array.isArray(doc.errors) && doc.errors.length > 0) {
      const text = (e: { code?: string; message?: string }) => String(e.code ?? 'unknown').toLowerCase().replace(/_/g, ' ') + (e.message ? `: ${e.message}` : '');
      return doc.errors.map(text).join('; ');
    }
  } catch { /* not an error document */ }
  if (status === 401) return 'unauthorized: authentication required';
  const text = body.toString('utf8').trim().slice(0, 200);
  return `StatusCode: ${status}, ${text || http.STATUS_CODES[status] || ''}`;
}

/** err with `ctx: ` in front (once), keeping whether it is worth a retry. */
function withContext(err: unknown, ctx: string, url?: URL): unknown {
  if (err instanceof TsmanError && err.message.startsWith(`${ctx}: `)) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  const code = errnoCode(err) ?? '';
  const transient = transientErrors.has(err as object) || TRANSIENT_NET.has(code) || (err as Error)?.message === 'aborted';
  let e: TsmanError;
  if (err instanceof TsmanError) e = wrapError(err, ctx);
  else {
    const msg = url && code ? netMessage(err as NodeJS.ErrnoException, url, true) : err instanceof Error ? err.message : String(err);
    e = new TsmanError('EREGISTRY', `${ctx}: ${msg}`, { cause: err });
  }
  return transient ? markTransient(e) : e;
}

function statusError(status: number, body: Buffer, context: string, notFound: ErrorCode = 'EREGISTRY'): TsmanError {
  const code: ErrorCode = status === 401 || status === 403 ? 'EAUTH' : status === 404 ? notFound : 'EREGISTRY';
  const err = new TsmanError(code, `${context}: ${registryErrorText(status, body)}`, { cause: { status } });
  return status >= 500 || status === 408 || status === 429 ? markTransient(err) : err;
}

async function readBody(res: http.IncomingMessage, limit: number, what = 'response body'): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > limit) {
      res.destroy();
      throw new TsmanError(what === 'response body' ? 'EREGISTRY' : 'EINVALID', `${what} exceeded maximum allowed size of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parse WWW-Authenticate values: `Bearer realm="...",service="...",scope="..."` or `Basic realm=...`. */
export function parseAuthenticate(values: string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const v of values) {
    const re = /\s*(?:([A-Za-z][\w.+-]*)(?=\s+[^\s=,]+\s*=|\s*,|\s*$)|([^\s=,]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^\s,]*))\s*,?/gy;
    let m: RegExpExecArray | null;
    let cur: Challenge | undefined;
    while (re.lastIndex < v.length && (m = re.exec(v)) !== null) {
      if (m[0] === '') break;
      if (m[1]) out.push((cur = { scheme: m[1].toLowerCase(), params: {} }));
      else if (cur && m[2]) cur.params[m[2].toLowerCase()] = m[4] !== undefined ? m[4].replace(/\\(.)/g, '$1') : m[3];
    }
  }
  return out;
}

export const pullScope = (repo: string): string => `repository:${repo}:pull`;
export const pushScope = (repo: string): string => `repository:${repo}:pull,push`;

export class RegistryClient {
  readonly registry: string;
  /** the host API calls go to */
  readonly host: string;
  private readonly opts: RegistryClientOptions;
  private base?: URL;
  private pinging?: Promise<void>;
  private challenges: Challenge[] = [];
  private readonly tokens = new Map<string, { token: string; expires: number }>();
  private readonly tokenFetches = new Map<string, Promise<string>>();
  private httpsAgent?: https.Agent;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  constructor(opts: RegistryClientOptions) {
    this.opts = opts;
    this.registry = opts.registry;
    this.host = registryHost(opts.registry);
  }

  /** Drop pooled connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent?.destroy();
  }

  private async tlsAgent(): Promise<https.Agent> {
    if (this.httpsAgent) return this.httpsAgent;
    const dir = this.opts.certDir;
    let names: string[] = [];
    try {
      if (dir) names = (await fsp.readdir(dir)).sort();
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw new TsmanError('ECONFIG', `reading certificate directory ${dir}: ${(err as Error).message}`, { cause: err });
    }
    const read = (n: string) => fsp.readFile(path.join(dir!, n), 'utf8');
    const ca = [...(await systemRoots())];
    let client: { cert: string; key: string } | undefined;
    for (const n of names) {
      const keyName = n.replace(/\.cert$/, '.key');
      if (n.endsWith('.crt')) ca.push(await read(n));
      else if (n.endsWith('.cert') && !names.includes(keyName)) {
        throw new TsmanError('ECONFIG', `missing key ${keyName} for client certificate ${n}. Note that CA certificates should use the extension .crt`);
      } else if (n.endsWith('.cert')) client = { cert: await read(n), key: await read(keyName) };
      else if (n.endsWith('.key') && !names.includes(n.replace(/\.key$/, '.cert'))) {
        throw new TsmanError('ECONFIG', `missing client certificate ${n.replace(/\.key$/, '.cert')} for key ${n}`);
      }
    }
    this.httpsAgent ??= new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: !this.opts.insecure, ca, ...client });
    return this.httpsAgent;
  }

  /** One HTTP exchange, no auth, no redirects; network failures become Go-style EREGISTRY errors. */
  private async send(method: string, url: URL, headers: Record<string, string>, body?: Body, signal?: AbortSignal): Promise<http.IncomingMessage> {
    const isHttps = url.protocol === 'https:';
    const agent = isHttps ? await this.tlsAgent() : this.httpAgent;
    const h: Record<string, string> = { 'User-Agent': this.opts.userAgent ?? 'tsman', ...headers };
    if (Buffer.isBuffer(body)) h['Content-Length'] = String(body.length);
    else if (body === undefined && (method === 'PUT' || method === 'POST' || method === 'PATCH')) h['Content-Length'] = '0';
    return new Promise((resolve, reject) => {
      let response: http.IncomingMessage | undefined;
      const req = (isHttps ? https : http).request(url, { method, headers: h, agent, signal }, (res) => resolve((response = res)));
      const timeout = this.opts.timeoutMs ?? 60_000;
      if (timeout > 0) {
        req.setTimeout(timeout, () => {
          const err = Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' });
          response?.destroy(err); // a stalled body fails with the timeout, not a reset
          req.destroy(err);
        });
      }
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError') return reject(err);
        const e = new TsmanError('EREGISTRY', `${goMethod(method)} "${url.href}": ${netMessage(err, url)}`, { cause: err });
        reject(TRANSIENT_NET.has(err.code ?? '') ? markTransient(e) : e);
      });
      if (typeof body === 'function') body().on('error', (e) => req.destroy(e)).pipe(req);
      else req.end(body);
    });
  }

  /** GET /v2/: choose the scheme and learn the auth challenge (once per client). */
  ping(): Promise<void> {
    this.pinging ??= this.doPing().catch((err: unknown) => {
      this.pinging = undefined;
      throw err;
    });
    return this.pinging;
  }

  private async doPing(): Promise<void> {
    const attempt = async (scheme: string): Promise<void> => {
      const url = new URL(`${scheme}://${this.host}/v2/`);
      const res = await this.send('GET', url, {});
      const body = await readBody(res, MAX_ERROR_BODY);
      if (res.statusCode !== 200 && res.statusCode !== 401) throw new TsmanError('EREGISTRY', registryErrorText(res.statusCode ?? 0, body));
      this.challenges = parseAuthenticate(res.headersDistinct['www-authenticate'] ?? []);
      this.base = new URL(`${scheme}://${this.host}`);
    };
    try {
      try {
        await attempt('https');
      } catch (err) {
        if (!this.opts.insecure) throw err;
        await attempt('http');
      }
    } catch (err) {
      throw wrapError(err, `pinging container registry ${this.host}`);
    }
  }

  private async authorization(scopes: string[], fresh: boolean): Promise<string | undefined> {
    const bearer = this.challenges.find((c) => c.scheme === 'bearer');
    const creds = this.opts.credentials;
    if (!bearer) {
      const basic = this.challenges.find((c) => c.scheme === 'basic');
      if (!basic || !creds || !('username' in creds)) return undefined;
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    const key = scopes.join(' ');
    const cached = this.tokens.get(key);
    if (!fresh && cached && cached.expires > Date.now()) return `Bearer ${cached.token}`;
    let p = this.tokenFetches.get(key);
    if (!p) {
      p = this.fetchToken(bearer, scopes).finally(() => this.tokenFetches.delete(key));
      this.tokenFetches.set(key, p);
    }
    return `Bearer ${await p}`;
  }

  private async fetchToken(ch: Challenge, scopes: string[]): Promise<string> {
    const realm = ch.params.realm;
    if (!realm) throw new TsmanError('EAUTH', `missing realm in bearer auth challenge from ${this.host}`);
    const url = new URL(realm);
    const creds = this.opts.credentials;
    let res: http.IncomingMessage;
    if (creds && 'identityToken' in creds) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'containers/image' });
      if (ch.params.service) form.set('service', ch.params.service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      res = await this.send('POST', url, { 'Content-Type': 'application/x-www-form-urlencoded' }, Buffer.from(form.toString()));
    } else {
      if (creds) url.searchParams.set('account', creds.username);
      if (ch.params.service) url.searchParams.set('service', ch.params.service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (creds) headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      res = await this.send('GET', url, headers);
    }
    const body = await readBody(res, MAX_ERROR_BODY);
    if (res.statusCode === 401) {
      throw new TsmanError('EAUTH', `unable to retrieve auth token: invalid username/password: ${registryErrorText(401, body)}`);
    }
    if (res.statusCode !== 200) throw statusError(res.statusCode ?? 0, body, 'unable to retrieve auth token');
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      throw new TsmanError('EAUTH', `unable to retrieve auth token: invalid response from ${url.origin}`);
    }
    if (!isObject(doc)) throw new TsmanError('EAUTH', `unable to retrieve auth token: invalid response from ${url.origin}`);
    const token = [doc.token, doc.access_token].find((t): t is string => typeof t === 'string' && t !== '');
    if (!token) throw new TsmanError('EAUTH', `unable to retrieve auth token: no token in response from ${url.origin}`);
    const issued = typeof doc.issued_at === 'string' ? Date.parse(doc.issued_at) : NaN;
    const lifetime = Math.max(typeof doc.expires_in === 'number' && Number.isFinite(doc.expires_in) ? doc.expires_in : 60, 60) * 1000;
    this.tokens.set(scopes.join(' '), { token, expires: (Number.isNaN(issued) ? Date.now() : issued) + lifetime - 5000 });
    return token;
  }

  /** A request to the registry with auth, redirects followed and a 401 retried once with new auth. */
  private async fetch(method: string, target: string | URL, o: FetchOpts): Promise<http.IncomingMessage> {
    await this.ping();
    let url = typeof target === 'string' ? new URL(target, this.base) : target;
    let fresh = false;
    for (let hops = 0; hops < 10; hops++) {
      const headers = { ...o.headers };
      if (url.host === this.base!.host) {
        const auth = await this.authorization(o.scopes, fresh);
        if (auth) headers.Authorization = auth;
      }
      const res = await this.send(method, url, headers, o.body, o.signal);
      finalUrls.set(res, url);
      const status = res.statusCode ?? 0;
      const loc = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && loc) {
        res.resume();
        url = new URL(loc, url);
        if (status === 303) method = 'GET';
        continue;
      }
      if (status === 401 && !fresh && url.host === this.base!.host) {
        const ch = parseAuthenticate(res.headersDistinct['www-authenticate'] ?? []);
        if (ch.length > 0 && ch.some((c) => c.scheme === 'bearer')) {
          res.resume();
          this.challenges = ch;
          fresh = true;
          continue;
        }
      }
      return res;
    }
    throw new TsmanError('EREGISTRY', `${goMethod(method)} "${url.href}": stopped after 10 redirects`);
  }

  private async retry<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      try {
        return await fn();
      } catch (err) {
        if (attempt >= ATTEMPTS || !transientErrors.has(err as object) || signal?.aborted) throw err;
        await new Promise((r) => setTimeout(r, (this.opts.retryDelayMs ?? 500) * 2 ** (attempt - 1)));
      }
    }
  }

  private refDesc(repo: string, reference: string): string {
    return `docker://${this.registry}/${repo}${reference.includes(':') ? '@' : ':'}${reference}`;
  }

  /**
   * A manifest by tag or digest, its media type and the digest of its bytes: sha256, or the
   * digest it was asked for (verified).
   */
  async getManifest(repo: string, reference: string, accept: string[]): Promise<{ body: Buffer; mediaType: string; digest: string }> {
    const ctx = `reading manifest ${reference} in ${this.registry}/${repo}`;
    try {
      const bad = reference.includes(':') ? digestProblem(reference) : undefined;
      if (bad) throw new TsmanError('EDIGEST', `${ctx}: ${bad}`);
      await this.ping();
      return await this.retry(async () => {
        try {
          const res = await this.fetch('GET', `/v2/${repo}/manifests/${reference}`, { headers: { Accept: accept.join(', ') }, scopes: [pullScope(repo)] });
          const body = await readBody(res, res.statusCode === 200 ? MAX_MANIFEST_SIZE : MAX_ERROR_BODY, res.statusCode === 200 ? 'manifest' : undefined);
          if (res.statusCode !== 200) throw statusError(res.statusCode ?? 0, body, ctx, 'ENOIMAGE');
          let digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
          if (reference.includes(':')) {
            const [alg] = reference.split(':');
            const got = alg === 'sha256' ? digest : `${alg}:${createHash(alg!).update(body).digest('hex')}`;
            if (got !== reference) throw new TsmanError('EDIGEST', `${ctx}: manifest digest mismatch (got ${got})`);
            digest = got;
          }
          const ct = (res.headers['content-type'] ?? '').split(';')[0].trim();
          const generic = ['', 'text/plain', 'application/json', 'application/octet-stream'].includes(ct);
          return { body, mediaType: generic ? (guessManifestType(body) ?? ct) : ct, digest };
        } catch (err) {
          throw withContext(err, ctx);
        }
      });
    } catch (err) {
      throw wrapError(err, `initializing source ${this.refDesc(repo, reference)}`);
    }
  }

  /** Download a blob to destFile, verified by digest and size, via `destFile.partial`. */
  async fetchBlob(repo: string, digest: string, destFile: string, opts: FetchBlobOptions = {}): Promise<void> {
    // the digest goes into a URL and names files: only a well-formed one of a known algorithm
    const bad = digestProblem(digest);
    if (bad) throw new TsmanError('EDIGEST', `blob ${JSON.stringify(digest)}: ${bad}`);
    const alg = digest.slice(0, digest.indexOf(':'));
    const partial = `${destFile}.partial`;
    const ctx = `reading blob ${digest}`;
    await this.ping();
    await this.retry(async () => {
      const res = await this.fetch('GET', `/v2/${repo}/blobs/${digest}`, { scopes: [pullScope(repo)], signal: opts.signal }).catch((err) => {
        throw withContext(err, ctx);
      });
      if (res.statusCode !== 200) {
        throw statusError(res.statusCode ?? 0, await readBody(res, MAX_ERROR_BODY).catch(() => Buffer.alloc(0)), ctx, 'ENOTFOUND');
      }
      const hash = createHash(alg);
      let n = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          n += chunk.length;
          if (opts.size !== undefined && n > opts.size) {
            return cb(new TsmanError('EDIGEST', `blob ${digest}: size mismatch (expected ${opts.size}, got more)`));
          }
          hash.update(chunk);
          opts.onProgress?.(n);
          cb(null, chunk);
        },
      });
      try {
        await pipeline(res, meter, createWriteStream(partial, { mode: 0o644 }), opts.signal ? { signal: opts.signal } : {});
        const got = `${alg}:${hash.digest('hex')}`;
        if (opts.size !== undefined && n !== opts.size) {
          throw new TsmanError('EDIGEST', `blob ${digest}: size mismatch (expected ${opts.size}, got ${n})`);
        }
        if (got !== digest) throw new TsmanError('EDIGEST', `blob ${digest}: digest mismatch (got ${got})`);
        const fh = await fsp.open(partial, 'r+');
        try { await fh.sync(); } finally { await fh.close(); }
        await fsp.rename(partial, destFile);
      } catch (err) {
        await fsp.rm(partial, { force: true });
        if (err instanceof TsmanError && err.code === 'EDIGEST') throw err;
        throw withContext(err, ctx, finalUrls.get(res));
      }
    }, opts.signal);
  }

  /** The blob's size when the repository has it, undefined when not. */
  async headBlob(repo: string, digest: string): Promise<number | undefined> {
    const ctx = `checking whether a blob ${digest} exists in ${this.registry}/${repo}`;
    return this.retry(async () => {
      const res = await this.fetch('HEAD', `/v2/${repo}/blobs/${digest}`, { scopes: [pullScope(repo)] }).catch((err) => {
        throw withContext(err, ctx);
      });
      res.resume();
      if (res.statusCode === 404) return undefined;
      if (res.statusCode !== 200) throw statusError(res.statusCode ?? 0, Buffer.alloc(0), ctx);
      const len = Number(res.headers['content-length']);
      return Number.isFinite(len) ? len : 0;
    });
  }

  /**
   * Upload a blob (a Buffer or a file path): a cross-repository mount when `mountFrom` names a
   * repository of this registry that has it, else a monolithic PUT, or PATCH chunks above chunkSize.
   */
  async putBlob(repo: string, digest: string, source: Buffer | string, opts: { mountFrom?: string; chunkSize?: number } = {}): Promise<void> {
    const ctx = `uploading blob ${digest} to ${this.registry}/${repo}`;
    const scopes = opts.mountFrom ? [pushScope(repo), pullScope(opts.mountFrom)] : [pushScope(repo)];
    const octet = { 'Content-Type': 'application/octet-stream' };
    let url = new URL(`/v2/${repo}/blobs/uploads/`, `http://${this.host}`);
    /** Send, check the status, and move `url` to the upload location the registry returned. */
    const step = async (method: string, ok: number, o: Partial<FetchOpts> = {}): Promise<number> => {
      const res = await this.fetch(method, url, { scopes, ...o });
      const status = res.statusCode ?? 0;
      if (status !== ok && !(ok === 202 && status === 201)) throw statusError(status, await readBody(res, MAX_ERROR_BODY).catch(() => Buffer.alloc(0)), ctx);
      res.resume();
      if (status === 202) {
        if (!res.headers.location) throw new TsmanError('EREGISTRY', `${ctx}: registry sent no upload location`);
        url = new URL(res.headers.location, url);
      }
      return status;
    };
    try {
      await this.ping();
      url = new URL(url.pathname, this.base);
      if (opts.mountFrom) {
        url.searchParams.set('mount', digest);
        url.searchParams.set('from', opts.mountFrom);
      }
      if ((await step('POST', 202)) === 201) return; // mounted
      const size = Buffer.isBuffer(source) ? source.length : (await fsp.stat(source)).size;
      const chunk = opts.chunkSize ?? this.opts.chunkSize ?? 32 << 20;
      if (size <= chunk) {
        url.searchParams.set('digest', digest);
        const body: Body = Buffer.isBuffer(source) ? source : () => createReadStream(source);
        await step('PUT', 201, { headers: { ...octet, 'Content-Length': String(size) }, body });
        return;
      }
      const fh = Buffer.isBuffer(source) ? undefined : await fsp.open(source, 'r');
      try {
        for (let off = 0; off < size; off += chunk) {
          const len = Math.min(chunk, size - off);
          const part = fh ? (await fh.read(Buffer.alloc(len), 0, len, off)).buffer : (source as Buffer).subarray(off, off + len);
          await step('PATCH', 202, { headers: { ...octet, 'Content-Range': `${off}-${off + len - 1}` }, body: part });
        }
      } finally {
        await fh?.close();
      }
      url.searchParams.set('digest', digest);
      await step('PUT', 201);
    } catch (err) {
      throw withContext(err, ctx);
    }
  }

  /** Upload a manifest under a tag or digest; returns its sha256 digest. */
  async putManifest(repo: string, reference: string, body: Buffer, mediaType: string): Promise<string> {
    const ctx = `uploading manifest ${reference} to ${this.registry}/${repo}`;
    try {
      const res = await this.fetch('PUT', `/v2/${repo}/manifests/${reference}`, { headers: { 'Content-Type': mediaType }, body, scopes: [pushScope(repo)] });
      if (res.statusCode !== 201 && res.statusCode !== 200) throw statusError(res.statusCode ?? 0, await readBody(res, MAX_ERROR_BODY), ctx);
      res.resume();
    } catch (err) {
      throw withContext(err, ctx);
    }
    return `sha256:${createHash('sha256').update(body).digest('hex')}`;
  }

  /** All tags of a repository, following `Link: <...>; rel="next"` pages. */
  async listTags(repo: string): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${repo}/tags/list`;
    while (next) {
      const target: string = next;
      const ctx = `fetching tags list of ${this.registry}/${repo}`;
      const res = await this.retry(() => this.fetch('GET', target, { scopes: [pullScope(repo)] }).catch((err) => {
        throw withContext(err, ctx);
      }));
      const body = await readBody(res, MAX_MANIFEST_SIZE);
      if (res.statusCode !== 200) throw statusError(res.statusCode ?? 0, body, ctx, 'ENOIMAGE');
      let doc: unknown;
      try { doc = JSON.parse(body.toString('utf8')); } catch { doc = undefined; }
      const list = isObject(doc) ? (doc.tags ?? []) : undefined;
      if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) {
        throw new TsmanError('EINVALID', `${ctx}: the registry's answer is not a tags list`);
      }
      tags.push(...(list as string[]));
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(res.headers.link ?? ''));
      next = link ? link[1] : undefined;
    }
    return tags;
  }

  /** Check the credentials against /v2/ (podman login); EAUTH when they are refused. */
  async checkAuth(): Promise<void> {
    const res = await this.fetch('GET', '/v2/', { scopes: [] });
    const body = await readBody(res, MAX_ERROR_BODY);
    if (res.statusCode === 401) throw new TsmanError('EAUTH', `authenticating creds for ${JSON.stringify(this.registry)}: invalid username/password: ${registryErrorText(401, body)}`);
    if (res.statusCode !== 200) throw statusError(res.statusCode ?? 0, body, `authenticating creds for ${JSON.stringify(this.registry)}`);
  }
}
