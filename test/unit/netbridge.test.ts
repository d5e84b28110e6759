// The bridge backend's pure parts (addresses, the nft script, the ip lines) and the backend table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocIp, collectLeftovers, v4Subnet, type IpamFile } from '../../src/network/bridge/ipam.js';
import { nftScript } from '../../src/network/bridge/nft.js';
import { plugLines, randomMac } from '../../src/network/bridge/link.js';
import { backendFor } from '../../src/network/setup.js';
import type { NetworkConfig } from '../../src/network/config.js';

function net(name: string, subnet: string, more: Partial<NetworkConfig> = {}): NetworkConfig {
  return {
    name, id: name.padEnd(64, '0'), driver: 'bridge', network_interface: `tsman-${name}`, created: '', subnets: [{ subnet }],
    ipv6_enabled: false, internal: false, dns_enabled: true, ipam_options: { driver: 'host-local' }, ...more,
  };
}

const empty = (): IpamFile => ({ networks: {}, ports: {}, nets: {}, owners: {} });

test('v4Subnet: the IPv4 subnet of a dual-stack network, host bits cleared, gateway .1 unless given', () => {
  const n = net('a', '10.89.3.7/24');
  n.subnets.unshift({ subnet: 'fd00::/64' });
  assert.deepEqual(v4Subnet(n), { subnet: '10.89.3.0/24', base: 0x0a590300, prefix: 24, gateway: '10.89.3.1', size: 256 });
  assert.equal(v4Subnet(net('b', '10.0.0.0/8', { subnets: [{ subnet: '10.0.0.0/8', gateway: '10.0.0.254' }] })).gateway, '10.0.0.254');
  assert.throws(() => v4Subnet(net('c', 'fd00::/64')), { message: 'network c has no IPv4 subnet' });
});

test('allocIp: addresses in order from .2, the gateway and the ones in use skipped, static ones checked', () => {
  const ipam = empty();
  const n = net('a', '10.89.0.0/29', { subnets: [{ subnet: '10.89.0.0/29', gateway: '10.89.0.3' }] });
  assert.equal(allocIp(ipam, n, 'c1'), '10.89.0.2');
  assert.equal(allocIp(ipam, n, 'c2'), '10.89.0.4');
  assert.equal(allocIp(ipam, n, 'c3', '10.89.0.6'), '10.89.0.6');
  assert.equal(allocIp(ipam, n, 'c4'), '10.89.0.5');
  // .7 is the broadcast address, .0 the network
  assert.throws(() => allocIp(ipam, n, 'c5'), { message: 'IPAM error: failed to find free IP in range: 10.89.0.0/29' });
  assert.throws(() => allocIp(ipam, n, 'c5', '10.89.0.7'), { message: 'requested static ip 10.89.0.7 not in any subnet on network a' });
  assert.throws(() => allocIp(ipam, n, 'c5', '10.89.0.3'), { message: 'requested static ip 10.89.0.3 not in any subnet on network a' });
  assert.throws(() => allocIp(ipam, n, 'c5', '10.89.0.2'), { message: 'IPAM error: requested ip address 10.89.0.2 is already allocated to container ID c1' });
  // asking again for its own address is no conflict
  assert.equal(allocIp(ipam, n, 'c1', '10.89.0.2'), '10.89.0.2');
  assert.deepEqual(ipam.networks['a'], { '10.89.0.2': 'c1', '10.89.0.4': 'c2', '10.89.0.6': 'c3', '10.89.0.5': 'c4' });
});

test('collectLeftovers drops the entries of containers whose namespace file is gone', () => {
  const ipam: IpamFile = {
    networks: { a: { '10.89.0.2': 'gone', '10.89.0.3': 'live' }, b: { '10.90.0.2': 'gone' } },
    ports: { gone: [{ hostIp: '', hostPort: 8080, ip: '10.89.0.2', port: 80, protocol: 'tcp' }] },
    nets: { a: { subnet: '10.89.0.0/24', bridge: 'tsman1', internal: false }, b: { subnet: '10.90.0.0/24', bridge: 'tsman2', internal: false } },
    owners: { gone: '/nonexistent/netns/gone', live: '/proc/self/ns/net' },
  };
  collectLeftovers(ipam);
  assert.deepEqual(ipam.networks, { a: { '10.89.0.3': 'live' } });
  assert.deepEqual(ipam.ports, {});
  assert.deepEqual(Object.keys(ipam.nets!), ['a']);
  assert.deepEqual(ipam.owners, { live: '/proc/self/ns/net' });
});

test('nftScript: no network in use only removes the table', () => {
  assert.equal(nftScript(false, empty()), 'table ip tsman\ndelete table ip tsman\n');
});

test('nftScript: masquerade, isolation, internal networks and DNAT (host address only in the host\'s namespace)', () => {
  const ipam: IpamFile = {
    networks: { a: { '10.89.0.2': 'c1' }, i: { '10.91.0.2': 'c2' } },
    ports: { c1: [{ hostIp: '127.0.0.1', hostPort: 8080, ip: '10.89.0.2', port: 80, protocol: 'tcp' }] },
    nets: { a: { subnet: '10.89.0.0/24', bridge: 'tsman1', internal: false }, i: { subnet: '10.91.0.0/24', bridge: 'tsman3', internal: true } },
    owners: {},
  };
  const host = nftScript(false, ipam);
  assert.match(host, /^table ip tsman\ndelete table ip tsman\ntable ip tsman \{\n/);
  assert.match(host, /chain hostports \{\n {4}ip daddr 127\.0\.0\.1 tcp dport 8080 dnat to 10\.89\.0\.2:80;\n {2}\}/);
  assert.match(host, /ip saddr 10\.89\.0\.0\/24 ip daddr != 10\.89\.0\.0\/24 masquerade;/);
  assert.doesNotMatch(host, /ip saddr 10\.91\.0\.0\/24 ip daddr != /);
  assert.match(host, /iifname "tsman1" oifname "tsman\*" oifname != "tsman1" reject with icmp type admin-prohibited;/);
  assert.match(host, /iifname "tsman3" oifname != "tsman3" reject with icmp type admin-prohibited;/);
  assert.match(host, /oifname "tsman3" iifname != "tsman3" reject with icmp type admin-prohibited;/);
  assert.match(nftScript(true, ipam), /chain hostports \{\n {4}tcp dport 8080 dnat to 10\.89\.0\.2:80;/);
});

test('plugLines: bridge, veth pair into the namespace, address; the default route only on the routed interface', () => {
  const iface = { network: 'a', ifname: 'eth0', veth: 'veth0123abcd', bridge: 'tsman1', ip: '10.89.0.2', prefix: 24, gateway: '10.89.0.1', mac: '02:00:00:00:00:01' };
  const l = plugLines({ ...iface, routed: true }, '/run/netns/x', '1400');
  assert.deepEqual(l.bridge, ['link add tsman1 type bridge', 'addr add 10.89.0.1/24 dev tsman1', 'link set tsman1 up']);
  assert.deepEqual(l.veth, ['link add veth0123abcd mtu 1400 type veth peer name eth0 address 02:00:00:00:00:01 netns /run/netns/x', 'link set veth0123abcd master tsman1 up']);
  assert.deepEqual(l.ctr, ['addr add 10.89.0.2/24 dev eth0', 'link set eth0 up', 'route add default via 10.89.0.1 dev eth0']);
  const l2 = plugLines(iface, '/run/netns/x', undefined);
  assert.equal(l2.veth[0], 'link add veth0123abcd type veth peer name eth0 address 02:00:00:00:00:01 netns /run/netns/x');
  assert.equal(l2.ctr.length, 2);
});

test('randomMac: locally administered unicast', () => {
  for (let i = 0; i < 50; i++) {
    const m = randomMac();
    assert.match(m, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    assert.equal(parseInt(m.slice(0, 2), 16) & 3, 2);
  }
});

test('every recorded mode has a backend with the whole interface', () => {
  for (const mode of ['slirp4netns', 'bridge'] as const) {
    const b = backendFor(mode);
    assert.equal(b.mode, mode);
    for (const m of ['setup', 'teardown', 'connect', 'disconnect', 'reload'] as const) assert.equal(typeof b[m], 'function', `${mode}.${m}`);
  }
});

test('a network state of a mode no backend knows is an error, not a crash', () => {
  assert.throws(() => backendFor('pasta' as never), { code: 'EGENERIC', message: 'network state of an unknown mode "pasta"' });
  assert.throws(() => backendFor('toString' as never), { message: 'network state of an unknown mode "toString"' });
});
