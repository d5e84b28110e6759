// The nftables table `ip tsman` of bridge networks: masquerade, port DNAT, isolation between
// networks, internal networks. Regenerated as a whole from the IPAM file on every change and
// replaced in one `nft -f` transaction (under the IPAM lock), so it never holds half an update.
import { mustRunIn } from '../netns.js';
import type { IpamFile } from './ipam.js';

const NFT_TABLE = 'tsman';

/**
 * The `nft -f` script that replaces the whole `ip tsman` table with the rules of the IPAM file (or
 * removes it when no network is in use). `shared`: the table is in the shared rootless namespace,
 * where every published port arrives from the forwarder whatever host address it listens on.
 */
export function nftScript(shared: boolean, ipam: IpamFile): string {
  const active = Object.keys(ipam.networks).map((n) => ipam.nets?.[n]).filter((n): n is NonNullable<typeof n> => n !== undefined);
  const lines: string[] = [`table ip ${NFT_TABLE}`, `delete table ip ${NFT_TABLE}`];
  if (active.length > 0) {
    const rules = { ports: [] as string[], post: [] as string[], fwd: [] as string[] };
    for (const n of active) {
      const sn = { subnet: n.subnet };
      const br = n.bridge;
      if (n.internal) {
        rules.fwd.push(`iifname "${br}" oifname != "${br}" reject with icmp type admin-prohibited`, `oifname "${br}" iifname != "${br}" reject with icmp type admin-prohibited`);
      } else {
        rules.post.push(`ip saddr ${sn.subnet} ip daddr != ${sn.subnet} masquerade`);
        // other tsman networks are not reachable from this one
        rules.fwd.push(`iifname "${br}" oifname "tsman*" oifname != "${br}" reject with icmp type admin-prohibited`);
      }
      // host-side clients of published ports on 127.0.0.1 (route_localnet) need a real source
      rules.post.push(`ip saddr 127.0.0.0/8 ip daddr ${sn.subnet} masquerade`);
      // a container reaching its own published port through the host
      rules.post.push(`oifname "${br}" ct status dnat ip saddr ${sn.subnet} masquerade`);
    }
    for (const list of Object.values(ipam.ports)) {
      for (const p of list) {
        const dst = !shared && p.hostIp ? `ip daddr ${p.hostIp} ` : '';
        rules.ports.push(`${dst}${p.protocol} dport ${p.hostPort} dnat to ${p.ip}:${p.port}`);
      }
    }
    lines.push(`table ip ${NFT_TABLE} {`,
      '  chain prerouting { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump hostports; }',
      '  chain output { type nat hook output priority -100; policy accept; fib daddr type local jump hostports; }',
      `  chain hostports {${rules.ports.map((r) => `\n    ${r};`).join('')}\n  }`,
      `  chain postrouting { type nat hook postrouting priority srcnat; policy accept;${rules.post.map((r) => `\n    ${r};`).join('')}\n  }`,
      `  chain forward { type filter hook forward priority filter; policy accept;${rules.fwd.map((r) => `\n    ${r};`).join('')}\n  }`,
      '}');
  }
  return lines.join('\n') + '\n';
}

/** Replace the table in `ns` (undefined: this namespace) in one transaction. */
export async function applyNft(ns: string | undefined, ipam: IpamFile): Promise<void> {
  await mustRunIn(ns, 'nft', ['-f', '-'], nftScript(ns !== undefined, ipam));
}
