import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseCidr, formatCidr, cidrContains, cidrOverlaps, nthAddress, lastAddress, ipToInt, intToIp, parseIp, formatIp,
  normalizeIp, firstFreeSubnet, randomUlaSubnet, cidrSize,
} from '../../src/util/ipnet.js';

const POOLS = [
  { base: '10.89.0.0/16', size: 24 },
  { base: '10.90.0.0/15', size: 24 },
];

test('parseCidr clears the host bits and formats as Go does', () => {
  assert.equal(formatCidr(parseCidr('10.89.1.5/28')), '10.89.1.0/28');
  assert.equal(formatCidr(parseCidr('10.88.0.0/16')), '10.88.0.0/16');
  assert.equal(formatCidr(parseCidr('0.0.0.0/0')), '0.0.0.0/0');
  assert.equal(formatCidr(parseCidr('FD10:0:0::5/64')), 'fd10::/64');
  assert.equal(formatCidr(parseCidr('fd69:f7c2:1fa:ae96::1/64')), 'fd69:f7c2:1fa:ae96::/64');
  assert.equal(parseCidr('10.0.0.0/8').family, 4);
  assert.equal(parseCidr('::/0').family, 6);
});

test('parseCidr rejects what Go rejects, with podman\'s message', () => {
  for (const bad of ['bad', '10.0.0.0', '10.0.0.0/33', '10.0.0/24', '10.0.0.256/24', '010.0.0.0/8', '10.0.0.0/08', '10.0.0.0/', 'fd::1::2/64', 'fd00::/129', '1:2:3:4:5:6:7:8:9/64']) {
    assert.throws(() => parseCidr(bad), { message: `invalid CIDR address: ${bad}` }, bad);
  }
});

test('IP parsing and formatting (IPv4, IPv6 compression, IPv4 tail)', () => {
  assert.deepEqual(parseIp('10.1.2.3'), { family: 4, value: 0x0a010203n });
  assert.equal(parseIp('10.1.2'), undefined);
  assert.equal(parseIp('1.2.3.04'), undefined);
  assert.equal(normalizeIp('FD12:0000:0000:0000:0000:0000:0000:0001'), 'fd12::1');
  assert.equal(normalizeIp('::'), '::');
  assert.equal(normalizeIp('::1'), '::1');
  assert.equal(normalizeIp('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  assert.equal(normalizeIp('1:0:0:2:0:0:3:4'), '1::2:0:0:3:4');
  assert.equal(normalizeIp('1:2:3:4:5:6:7:0'), '1:2:3:4:5:6:7:0');
  assert.equal(normalizeIp('::ffff:1.2.3.4'), '::ffff:102:304');
  assert.equal(normalizeIp('1::2::3'), undefined);
  assert.equal(normalizeIp('12345::'), undefined);
  assert.equal(formatIp({ family: 4, value: 0xffffffffn }), '255.255.255.255');
});

test('ipToInt / intToIp round trip (IPv4 only)', () => {
  assert.equal(ipToInt('10.89.0.1'), 0x0a590001);
  assert.equal(ipToInt('255.255.255.255'), 0xffffffff);
  assert.equal(intToIp(0x0a590001), '10.89.0.1');
  assert.equal(intToIp(ipToInt('192.168.1.254') + 1), '192.168.1.255');
  assert.throws(() => ipToInt('fd00::1'));
  assert.throws(() => intToIp(2 ** 32));
  assert.throws(() => intToIp(-1));
});

test('cidrContains', () => {
  assert.ok(cidrContains('10.200.0.0/24', '10.200.0.254'));
  assert.ok(cidrContains('10.200.0.0/24', '10.200.0.0'));
  assert.ok(!cidrContains('10.200.0.0/24', '10.201.0.1'));
  assert.ok(!cidrContains('10.200.0.0/24', 'bad'));
  assert.ok(cidrContains('fd13::/64', 'fd13::ffff:1'));
  assert.ok(!cidrContains('fd13::/64', 'fd14::1'));
  assert.ok(!cidrContains('10.0.0.0/8', '::ffff:10.0.0.1'), 'families differ');
});

test('cidrOverlaps: containment either way, never across families', () => {
  assert.ok(cidrOverlaps('10.88.0.0/16', '10.88.5.0/24'));
  assert.ok(cidrOverlaps('10.88.5.0/24', '10.88.0.0/16'));
  assert.ok(cidrOverlaps('10.89.1.0/24', '10.89.1.0/28'));
  assert.ok(!cidrOverlaps('10.89.0.0/24', '10.89.1.0/24'));
  assert.ok(cidrOverlaps('0.0.0.0/0', '192.168.0.0/16'));
  assert.ok(cidrOverlaps('fd00::/8', 'fd12::/64'));
  assert.ok(!cidrOverlaps('fd12::/64', 'fd13::/64'));
  assert.ok(!cidrOverlaps('0.0.0.0/0', '::/0'));
});

test('nthAddress / lastAddress / cidrSize', () => {
  assert.equal(nthAddress('10.89.0.0/24', 1), '10.89.0.1');
  assert.equal(nthAddress('10.89.0.0/24', 0), '10.89.0.0');
  assert.equal(nthAddress('10.89.0.0/24', 255), '10.89.0.255');
  assert.equal(nthAddress('10.89.0.0/24', -2), '10.89.0.254');
  assert.throws(() => nthAddress('10.89.0.0/24', 256), /outside subnet 10.89.0.0\/24/);
  assert.equal(nthAddress('10.88.0.0/16', 300), '10.88.1.44');
  assert.equal(lastAddress('10.200.0.128/25'), '10.200.0.255');
  assert.equal(nthAddress('fd12::/64', 1), 'fd12::1');
  assert.equal(lastAddress('fd12::/120'), 'fd12::ff');
  assert.equal(nthAddress(parseCidr('fd12::/64'), 2n ** 40n), 'fd12::100:0:0');
  assert.equal(cidrSize('10.0.0.0/24'), 256n);
  assert.equal(cidrSize('fd12::/64'), 2n ** 64n);
});

test('firstFreeSubnet: the first /24 of the pools no used subnet overlaps', () => {
  const f = (used: string[]) => { const c = firstFreeSubnet(POOLS, used); return c && formatCidr(c); };
  assert.equal(f([]), '10.89.0.0/24');
  assert.equal(f(['10.88.0.0/16']), '10.89.0.0/24');
  assert.equal(f(['10.88.0.0/16', '10.89.0.0/24']), '10.89.1.0/24');
  // a gap is reused
  assert.equal(f(['10.89.0.0/24', '10.89.2.0/24']), '10.89.1.0/24');
  // a small subnet inside a candidate blocks it; a large one skips all of its /24s
  assert.equal(f(['10.89.0.128/28']), '10.89.1.0/24');
  assert.equal(f(['10.89.0.0/17']), '10.89.128.0/24');
  // a pool exhausted: the next pool
  assert.equal(f(['10.89.0.0/16']), '10.90.0.0/24');
  assert.equal(f(['10.0.0.0/8']), undefined);
  // host routes count like networks; other families are ignored
  assert.equal(f(['fd00::/8', '10.89.0.0/23']), '10.89.2.0/24');
});

test('randomUlaSubnet: fdXX:XXXX:XXXX:XXXX::/64', () => {
  const c = randomUlaSubnet((n) => Uint8Array.from({ length: n }, (_v, i) => i + 1));
  assert.equal(formatCidr(c), 'fd02:304:506:708::/64');
  assert.ok(cidrContains('fd00::/8', formatIp({ family: 6, value: c.network })));
  assert.equal(c.prefix, 64);
});
