// Names across a network: containers on one network find each other through /etc/hosts entries
// tsman keeps up to date in every running member's hosts file (no DNS daemon to run).
import { promises as fsp, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readIpam } from './bridge/ipam.js';
import type { NetHost, NetContainer } from './backend.js';

/** hosts entries for the running members of `nets` (name, aliases, short id), `except` left out */
async function memberEntries(host: NetHost, nets: string[], except?: string): Promise<Map<string, string[]>> {
  const ipam = await readIpam(host);
  const byId = new Map(host.store.read().containers?.map((c) => [c.id, c]) ?? []);
  const out = new Map<string, string[]>();
  for (const net of nets) {
    for (const [ip, id] of Object.entries(ipam.networks[net] ?? {})) {
      if (id === except) continue;
      const c = byId.get(id);
      if (!c) continue;
      const names = [c.name, id.slice(0, 12), ...(c.config.networks?.[net]?.aliases ?? [])];
      out.set(`${ip}\t${[...new Set(names)].join(' ')}`, [id]);
    }
  }
  return out;
}

const MARK = '# tsman network peers';

/** Rewrite the peers section of each running member's hosts file (in place: it is bind-mounted). */
export async function updateHosts(host: NetHost, nets: string[], gone?: string): Promise<void> {
  const ipam = await readIpam(host);
  const members = new Set<string>();
  for (const n of nets) for (const id of Object.values(ipam.networks[n] ?? {})) members.add(id);
  const byId = new Map(host.store.read().containers?.map((c) => [c.id, c]) ?? []);
  for (const id of members) {
    const c = byId.get(id);
    if (!c || c.config.noHosts) continue;
    const file = path.join(host.store.dir, 'containers', id, 'userdata', 'hosts');
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    const own = Object.keys(c.config.networks ?? {});
    const entries = await memberEntries(host, own, id);
    const base = text.includes(MARK) ? text.slice(0, text.indexOf(MARK)) : text;
    const peers = [...entries.keys()].filter((l) => !gone || !l.includes(gone.slice(0, 12)));
    await fsp.writeFile(file, peers.length ? `${base}${MARK}\n${peers.join('\n')}\n` : base);
  }
}

/** Lines for a new member's own hosts file: its peers on its networks. */
export async function peerHostLines(host: NetHost, c: NetContainer): Promise<string[]> {
  const entries = await memberEntries(host, Object.keys(c.config.networks ?? {}), c.id);
  return entries.size ? [MARK, ...entries.keys()] : [];
}
