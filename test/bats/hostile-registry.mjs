// A registry that serves whatever documents a test puts in its directory, as they are: for the
// hostile documents a real registry (docker-registry) refuses to store (bad digests in a manifest,
// a manifest that is not JSON, one of 5 MiB) and for blobs that arrive slowly. Plain HTTP on
// 127.0.0.1, no auth. Test tool only.
//
//   node hostile-registry.mjs DIR      (writes the port it listens on to DIR/port)
//
//   DIR/manifests/<name>/<reference>        a manifest (raw bytes); Content-Type from
//   DIR/manifests/<name>/<reference>.type   (default: the OCI image manifest type)
//   DIR/blobs/<digest>                      a blob (raw bytes), for any repository
//   DIR/blobs/<digest>.delay                milliseconds to stall after the first half of it
//   DIR/requests.log                        every request: METHOD URL
//
// <name> and <reference> are file names as encodeURIComponent writes them (`hostile%2Fx`).
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: hostile-registry.mjs DIR\n');
  process.exit(2);
}
const log = fs.createWriteStream(path.join(dir, 'requests.log'), { flags: 'a' });

function read(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function notFound(res, code) {
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace(/_/g, ' ') }] }));
}

const server = http.createServer((req, res) => {
  log.write(`${req.method} ${req.url}\n`);
  const url = req.url.split('?')[0];
  if (url === '/v2/' || url === '/v2') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Docker-Distribution-Api-Version': 'registry/2.0' });
    res.end('{}');
    return;
  }
  const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url);
  if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return notFound(res, 'UNSUPPORTED');
  const [, name, kind, ref] = m;
  const key = (s) => encodeURIComponent(decodeURIComponent(s));
  if (kind === 'manifests') {
    const file = path.join(dir, 'manifests', key(name), key(ref));
    const body = read(file);
    if (!body) return notFound(res, 'MANIFEST_UNKNOWN');
    const type = (read(`${file}.type`)?.toString() ?? 'application/vnd.oci.image.manifest.v1+json').trim();
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  const file = path.join(dir, 'blobs', key(ref));
  const body = read(file);
  if (!body) return notFound(res, 'BLOB_UNKNOWN');
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
  if (req.method === 'HEAD') return res.end();
  const delay = Number(read(`${file}.delay`)?.toString() ?? 0);
  if (!delay) return res.end(body);
  const half = body.length >> 1;
  res.write(body.subarray(0, half));
  const t = setTimeout(() => res.end(body.subarray(half)), delay);
  res.on('close', () => clearTimeout(t));
});

server.listen(0, '127.0.0.1', () => {
  const port = String(server.address().port);
  fs.writeFileSync(path.join(dir, 'port.tmp'), port);
  fs.renameSync(path.join(dir, 'port.tmp'), path.join(dir, 'port'));
});
process.on('SIGTERM', () => process.exit(0));
