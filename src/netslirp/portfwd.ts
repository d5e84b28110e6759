// Rootless published ports (podman's rootlessport, port_handler=rootlesskit): one small process
// per container with published ports. It binds the host ports first, in the host's network
// namespace, then moves into the container's network namespace for good (setns): listening
// sockets stay where they were made, every socket made afterwards (the connections to the
// container) is inside. So bytes go host socket → this process → container socket, at loopback
// speed, instead of through slirp4netns's user-mode TCP stack; and UDP replies reach clients on
// the host's 127.0.0.1, which slirp4netns's own forwarding drops when host loopback is disabled.
//
// Lifetime: fd 3 is one end of a socket pair whose other end the container's monitor (conmon)
// holds; when it closes (the monitor exited), this process exits. It reports "ready" or
// "error: ..." as one line on stdout.
//
// Usage (internal): node portfwd.js '{"ns": PATH, "ports": [{proto, hostIp, hostPort, ip, port}]}'
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import { openSync, closeSync, writeSync } from 'node:fs';
import { setns, CLONE_NEWNET } from '../util/libc.js';

export interface FwdPort { proto: string; hostIp: string; hostPort: number; ip: string; port: number }
interface Args { ns: string; ports: FwdPort[]; noLifeFd?: boolean }

const UDP_IDLE_MS = 60_000;
const BUF = 256 * 1024;

function say(msg: string): void {
  // fd 1 stays open: stream.pipe() looks at process.stdout, which must not land on a reused fd
  try { writeSync(1, `${msg}\n`); } catch { /* parent gone */ }
}

/** stderr is the container's portfwd.log */
function logError(err: Error): void {
  try { writeSync(2, `portfwd: ${err.message}\n`); } catch { /* no log */ }
}

function listenTcp(p: FwdPort): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer({ noDelay: true, highWaterMark: BUF, pauseOnConnect: true } as net.ServerOpts);
    srv.once('error', reject);
    srv.listen({ port: p.hostPort, host: p.hostIp || '0.0.0.0', exclusive: true, backlog: 1024 }, () => resolve(srv));
  });
}

function bindUdp(p: FwdPort): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: net.isIPv6(p.hostIp) ? 'udp6' : 'udp4', recvBufferSize: 1 << 20 });
    s.once('error', reject);
    s.bind(p.hostPort, p.hostIp || '0.0.0.0', () => resolve(s));
  });
}

/**
 * Copy one direction: reads land in one fixed 256 KiB buffer (no allocation per chunk); reading
 * pauses while the chunk is written and resumes once the kernel took it.
 */
/**
 * Where the container's side reads land: one fixed 256 KiB buffer per connection (no allocation
 * per chunk). Reading pauses while a chunk waits in `to`'s queue and resumes once it is flushed.
 */
function relay(to: net.Socket, from: () => net.Socket): { buffer: Buffer; callback: (n: number, buf: Buffer) => boolean } {
  return {
    buffer: Buffer.allocUnsafe(BUF),
    callback: (n, buf) => {
      if (to.write(buf.subarray(0, n))) return true;
      // queued: the chunk still points into our buffer, so stop reading until it is flushed
      const src = from();
      to.once('drain', () => src.resume());
      return false;
    },
  };
}

function serveTcp(srv: net.Server, p: FwdPort): void {
  srv.on('connection', (client) => {
    client.setNoDelay(true);
    // onread is honoured by net.connect's options only (not by socket.connect)
    const up: net.Socket = net.connect({ host: p.ip, port: p.port, noDelay: true, onread: relay(client, () => up) } as net.NetConnectOpts);
    const done = (): void => { client.destroy(); up.destroy(); };
    up.on('connect', () => {
      client.on('data', (d: Buffer) => { if (!up.write(d)) { client.pause(); up.once('drain', () => client.resume()); } });
      client.resume();
    });
    client.on('end', () => up.end());
    up.on('end', () => client.end());
    client.on('error', done);
    up.on('error', done);
    client.on('close', done);
    up.on('close', done);
  });
}

function serveUdp(host: dgram.Socket, p: FwdPort): void {
  const flows = new Map<string, { sock: dgram.Socket; timer: NodeJS.Timeout }>();
  host.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}|${rinfo.port}`;
    let f = flows.get(key);
    if (!f) {
      const sock = dgram.createSocket(net.isIPv6(p.ip) ? 'udp6' : 'udp4');
      const flow = { sock, timer: setTimeout(() => undefined, 0) };
      const close = (): void => { clearTimeout(flow.timer); flows.delete(key); sock.close(); };
      flow.timer = setTimeout(close, UDP_IDLE_MS);
      sock.on('message', (reply) => {
        host.send(reply, rinfo.port, rinfo.address, (err) => { if (err) logError(err); });
        flow.timer.refresh();
      });
      sock.on('error', close);
      sock.connect(p.port, p.ip);
      flows.set(key, flow);
      f = flow;
      sock.once('connect', () => sock.send(msg));
      return;
    }
    f.timer.refresh();
    try { f.sock.send(msg); } catch { /* not connected yet: the datagram is lost, as UDP may */ }
  });
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const bound: Array<{ p: FwdPort; tcp?: net.Server; udp?: dgram.Socket }> = [];
  try {
    for (const p of args.ports) {
      if (p.proto === 'udp') bound.push({ p, udp: await bindUdp(p) });
      else if (p.proto === 'tcp') bound.push({ p, tcp: await listenTcp(p) });
      else throw new Error(`protocol ${p.proto} is not supported by the port forwarder`);
    }
    const fd = openSync(args.ns, 'r');
    setns(fd, CLONE_NEWNET);
    closeSync(fd);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    const why = e.code === 'EADDRINUSE' ? `listen ${e.address}:${e.port}: bind: address already in use` : e.message;
    say(`error: ${why}`);
    process.exit(1);
  }
  for (const b of bound) {
    // the listeners' 'error' handlers above were for binding; one error later (EMFILE on accept,
    // a send that fails) must not end every published port of the container: it goes to the log
    b.tcp?.on('error', logError);
    b.udp?.on('error', logError);
    if (b.tcp) serveTcp(b.tcp, b.p);
    if (b.udp) serveUdp(b.udp, b.p);
  }
  if (args.noLifeFd) { say('ready'); return; }
  // the monitor's end of fd 3 closing ends us
  const life = new net.Socket({ fd: 3, readable: true, writable: false });
  life.on('data', () => undefined);
  life.on('end', () => process.exit(0));
  life.on('close', () => process.exit(0));
  life.on('error', () => process.exit(0));
  say('ready');
}

void main();
