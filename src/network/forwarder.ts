// Rootless published ports through tsman's forwarder (src/netslirp/portfwd.c, podman's
// rootlessport): used by the slirp4netns backend and by rootless bridge networks.
import * as path from 'node:path';
import { processStartTime } from '../storage/store.js';
import { startPortForwarder } from '../netslirp/slirp.js';
import { expandPorts } from './ports.js';
import { containerNetDir, writeState } from './state.js';
import type { SetupContext, NetState } from './backend.js';

/** Forward the container's published ports into namespace `ns`, to `ip` there. */
export async function forwardPorts(ctx: SetupContext, ns: string, ip: string): Promise<void> {
  const { host, c, state } = ctx;
  const ports = expandPorts(c.config.ports ?? []).map((p) => ({ proto: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort, ip, port: p.containerPort }));
  if (ports.length === 0) return;
  const f = await startPortForwarder(ns, ports, path.join(containerNetDir(host, c.id), 'portfwd.log'), !!state.late, ctx.lateExitPid);
  ctx.keepFds.push(f.exitFd);
  ctx.onRelease(() => f.exitSocket.destroy());
  state.forwarder = { pid: f.pid, startTime: processStartTime(f.pid) };
  await writeState(host, c.id, state);
}

/** End the forwarder recorded in `s` (it is ours only while its start time matches). */
export function stopForwarder(s: NetState | undefined): void {
  if (s?.forwarder && s.forwarder.startTime && processStartTime(s.forwarder.pid) === s.forwarder.startTime) {
    try { process.kill(s.forwarder.pid, 'SIGTERM'); } catch { /* gone */ }
  }
}
