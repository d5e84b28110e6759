// The slirp4netns backend (the rootless default network): one slirp4netns per container, tied
// to the container's monitor through --exit-fd; published ports through tsman's forwarder
// (port_handler=rootlesskit, the default) or slirp4netns's own API (port_handler=slirp4netns).
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { processStartTime } from '../storage/store.js';
import { parseSlirpOptions, startSlirp, slirpAddresses, addHostFwd } from '../netslirp/slirp.js';
import { expandPorts } from './ports.js';
import { containerNetDir, shortSocketPath, slirpBinary, writeState } from './state.js';
import { forwardPorts, stopForwarder } from './forwarder.js';
import { notOnNetworks, type NetworkBackend } from './backend.js';

export const slirp4netnsBackend: NetworkBackend = {
  mode: 'slirp4netns',

  async setup(ctx) {
    const { host, c, state } = ctx;
    const opts = parseSlirpOptions(c.config.slirpOptions ?? []);
    const apiSocket = shortSocketPath(host, `slirp-${c.id.slice(0, 16)}.sock`);
    await fsp.mkdir(path.dirname(apiSocket), { recursive: true, mode: 0o700 });
    await fsp.rm(apiSocket, { force: true });
    const s = await startSlirp({
      nsPath: state.nsPath, apiSocket, opts, logFile: path.join(containerNetDir(host, c.id), 'slirp.log'), noExitFd: !!state.late, binary: slirpBinary(host),
    });
    ctx.keepFds.push(s.exitFd);
    ctx.onRelease(() => s.exitSocket.destroy());
    state.slirp = { pid: s.pid, startTime: processStartTime(s.pid), apiSocket, cidr: opts.cidr };
    const a = slirpAddresses(opts.cidr);
    state.ifaces.push({ network: 'slirp4netns', ifname: 'tap0', ip: a.guest, prefix: a.prefix, gateway: a.gateway, mac: '' });
    await writeState(host, c.id, state);
    if (opts.portHandler === 'slirp4netns') {
      state.fwdIds = [];
      for (const p of expandPorts(c.config.ports ?? [])) {
        state.fwdIds.push(await addHostFwd(apiSocket, { proto: p.protocol, hostAddr: p.hostIp || '0.0.0.0', hostPort: p.hostPort, guestPort: p.containerPort }));
      }
    } else {
      await forwardPorts(ctx, state.nsPath, a.guest);
    }
  },

  async teardown(_host, _c, s) {
    if (s?.slirp) {
      if (s.slirp.startTime && processStartTime(s.slirp.pid) === s.slirp.startTime) {
        try { process.kill(s.slirp.pid, 'SIGTERM'); } catch { /* gone */ }
      }
      await fsp.rm(s.slirp.apiSocket, { force: true });
    }
    stopForwarder(s);
  },

  connect(_host, c) { return Promise.reject(notOnNetworks(c)); },
  disconnect(_host, c) { return Promise.reject(notOnNetworks(c)); },
  // processes, not rules: nothing to set again
  reload() { return Promise.resolve(); },
};
