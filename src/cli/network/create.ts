import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { maxArgs } from './args.js';
import { splitCommas } from '../volume/args.js';

export class NetworkCreateCommand extends TsmanCommand {
  static override paths = [['network', 'create']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Create a bridge network (its config in <graphroot>/tsman/networks/NAME.json unless containers.conf sets network_config_dir)',
    details: 'Without --subnet the first free /24 of the default subnet pools (10.89.0.0/24 upward) is used, avoiding other networks and the host\'s addresses and routes. Bridges are named tsman1, tsman2, ... so they never collide with podman\'s. Options (-o): mtu=, vlan=, isolate=.',
    examples: [
      ['A network named podman1, podman2, ...', 'tsman network create'],
      ['A named network', 'tsman network create mynet'],
      ['A given subnet, gateway and lease range', 'tsman network create --subnet 10.200.0.0/24 --gateway 10.200.0.254 --ip-range 10.200.0.128/25 mynet'],
      ['Dual stack (a random ULA /64)', 'tsman network create --ipv6 mynet6'],
      ['No outbound traffic, no DNS', 'tsman network create --internal --disable-dns isolated'],
    ],
  });

  driver = Option.String('-d,--driver', 'bridge', { description: 'Driver to manage the network (only "bridge")' });
  disableDns = Bool('--disable-dns', false, { description: 'Disable dns plugin' });
  gateway = Option.Array('--gateway', [], { description: 'IPv4 or IPv6 gateway for the subnet' });
  ignore = Bool('--ignore', false, { description: 'Do not fail if the network already exists (print its name)' });
  interfaceName = Option.String('--interface-name', { description: 'Name of the bridge interface (default tsmanN)' });
  internal = Bool('--internal', false, { description: 'Restrict external access from this network' });
  ipRange = Option.Array('--ip-range', [], { description: 'Allocate container IP from range (CIDR inside the subnet)' });
  ipv6 = Bool('--ipv6', false, { description: 'Enable IPv6 networking' });
  label = Option.Array('--label', [], { description: 'Set metadata on a network (key=value)' });
  opt = Option.Array('-o,--opt', [], { description: 'Set driver specific options: mtu=, vlan=, isolate=' });
  subnet = Option.Array('--subnet', [], { description: 'Subnet in CIDR format' });
  args = Option.Rest();

  async execute(): Promise<number> {
    maxArgs(this.args, 1);
    const engine = await this.api();
    const net = await engine.networkCreate({
      name: this.args[0], driver: this.driver, subnets: this.subnet, gateways: splitCommas(this.gateway), ipRanges: this.ipRange,
      internal: this.internal, disableDns: this.disableDns, ipv6: this.ipv6, labels: this.label, options: this.opt,
      ignore: this.ignore, interfaceName: this.interfaceName,
    });
    this.out(`${net.name}\n`);
    return 0;
  }
}
