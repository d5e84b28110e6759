// Rootless bridge networks live in one shared "rootless network namespace" behind one
// slirp4netns (podman's design too): the bridges, veths and nft table are made there instead of
// in the host's namespace; published ports are forwarded into it and DNAT'ed there.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type * as cryptoMod from 'node:crypto';
import { builtin } from '../../util/builtin.js';
import { atomicWriteJson, readJsonIfExists } from '../../util/fsutil.js';
import { processStartTime } from '../../storage/store.js';
import { parseSlirpOptions, startSlirp } from '../../netslirp/slirp.js';
import { createNetns, removeNetns, mustRunIn } from '../netns.js';
import { shortSocketPath, slirpBinary } from '../state.js';
import { netDir } from './ipam.js';
import type { NetHost } from '../backend.js';

/** The shared namespace's file (rootless). */
export function rootlessNetnsPath(host: NetHost): string {
  return path.join(netDir(host), 'rootless-netns');
}

/** Where bridges live: undefined = this (the host's) namespace; rootless: the shared namespace. */
export async function hostNs(host: NetHost, create: boolean): Promise<string | undefined> {
  if (!host.rootless) return undefined;
  const file = rootlessNetnsPath(host);
  const info = path.join(netDir(host), 'rootless-netns.json');
  const cur = await readJsonIfExists<{ pid: number; startTime?: string }>(info);
  if (cur && processStartTime(cur.pid) === cur.startTime) return file;
  if (!create) return (await fsp.stat(file).then(() => true, () => false)) ? file : undefined;
  await removeNetns(file);
  await createNetns(file);
  await fsp.mkdir(path.dirname(rootlessSock(host)), { recursive: true, mode: 0o700 });
  await fsp.rm(rootlessSock(host), { force: true });
  const s = await startSlirp({
    nsPath: file, apiSocket: rootlessSock(host), logFile: path.join(netDir(host), 'rootless-netns.log'),
    opts: { ...parseSlirpOptions([]), enableIpv6: false, allowHostLoopback: true },
    noExitFd: true, binary: slirpBinary(host),
  });
  s.exitSocket.destroy();
  await atomicWriteJson(info, { pid: s.pid, startTime: processStartTime(s.pid) }, 0o600, { durable: false });
  await mustRunIn(file, 'sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
  return file;
}

function rootlessSock(host: NetHost): string {
  const h = builtin<typeof cryptoMod>('node:crypto').createHash('sha256').update(host.store.runDir).digest('hex').slice(0, 12);
  return shortSocketPath(host, `rootless-netns-${h}.sock`);
}

export async function dropRootlessNetns(host: NetHost): Promise<void> {
  const info = path.join(netDir(host), 'rootless-netns.json');
  const cur = await readJsonIfExists<{ pid: number; startTime?: string }>(info);
  if (cur && processStartTime(cur.pid) === cur.startTime) {
    try { process.kill(cur.pid, 'SIGTERM'); } catch { /* gone */ }
  }
  await removeNetns(rootlessNetnsPath(host));
  await fsp.rm(info, { force: true });
  await fsp.rm(rootlessSock(host), { force: true });
}

