import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parsePublish, expandPorts, portLines, portsColumn, portBindings, exposedToMappings } from '../../src/network/ports.js';
import { parseSlirpOptions, slirpAddresses } from '../../src/netslirp/slirp.js';

test('parsePublish: the forms podman accepts', () => {
  assert.deepEqual(parsePublish('8080:80'), [{ host_ip: '', container_port: 80, host_port: 8080, range: 1, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('127.0.0.1:8080:80/udp'), [{ host_ip: '127.0.0.1', container_port: 80, host_port: 8080, range: 1, protocol: 'udp' }]);
  assert.deepEqual(parsePublish('127.0.0.1::80'), [{ host_ip: '127.0.0.1', container_port: 80, host_port: 0, range: 1, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('80'), [{ host_ip: '', container_port: 80, host_port: 0, range: 1, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('8000-8002:9000-9002'), [{ host_ip: '', container_port: 9000, host_port: 8000, range: 3, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('[::1]:8080:80'), [{ host_ip: '::1', container_port: 80, host_port: 8080, range: 1, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('0.0.0.0:53:53/tcp,udp').map((p) => p.protocol), ['tcp', 'udp']);
});

test('parsePublish: bad input is refused with a message naming it', () => {
  assert.throws(() => parsePublish('80:99999'), /must be between 1 and 65535/);
  assert.throws(() => parsePublish('abc:80'), /must be a number/);
  assert.throws(() => parsePublish('80/icmp'), /invalid protocol "icmp"/);
  assert.throws(() => parsePublish('1.2.3:80:80'), /invalid IP address "1.2.3"/);
  assert.throws(() => parsePublish('8000-8001:9000-9002'), /different lengths/);
  assert.throws(() => parsePublish('9002-9000'), /end is below the start/);
});

test('reports: port lines, ps column, inspect bindings', () => {
  const ports = [...parsePublish('127.0.0.1:8080:80'), ...parsePublish('5000-5001:6000-6001/udp')];
  assert.equal(expandPorts(ports).length, 3);
  assert.deepEqual(portLines(ports), ['80/tcp -> 127.0.0.1:8080', '6000/udp -> 0.0.0.0:5000', '6001/udp -> 0.0.0.0:5001']);
  assert.deepEqual(portLines(ports, '6001/udp'), ['0.0.0.0:5001']);
  assert.equal(portsColumn(ports), '127.0.0.1:8080->80/tcp, 0.0.0.0:5000-5001->6000-6001/udp');
  assert.deepEqual(portBindings(ports)['80/tcp'], [{ HostIp: '127.0.0.1', HostPort: '8080' }]);
  assert.deepEqual(exposedToMappings({ '80/tcp': {}, '53/udp': {} }, parsePublish('8080:80')).map((p) => `${p.container_port}/${p.protocol}`), ['53/udp']);
});

test('slirp4netns options and addresses', () => {
  const o = parseSlirpOptions(['allow_host_loopback=true', 'mtu=1500', 'cidr=10.41.0.0/24', 'enable_ipv6=false']);
  assert.equal(o.allowHostLoopback, true);
  assert.equal(o.mtu, 1500);
  assert.equal(o.enableIpv6, false);
  assert.equal(o.portHandler, 'rootlesskit');
  assert.throws(() => parseSlirpOptions(['mtu=abc']), /invalid slirp4netns mtu/);
  assert.throws(() => parseSlirpOptions(['bogus=1']), /unknown option for slirp4netns/);
  assert.throws(() => parseSlirpOptions(['cidr=10.0.0.0/30']), /invalid slirp4netns cidr/);
  assert.deepEqual(slirpAddresses('10.41.0.0/24'), { guest: '10.41.0.100', gateway: '10.41.0.2', dns: '10.41.0.3', prefix: 24 });
});
