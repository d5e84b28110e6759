import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { exactArgs } from './args.js';

export class NetworkConnectCommand extends TsmanCommand {
  static override paths = [['network', 'connect']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Add container to a network (a running container gets the interface at once)',
    examples: [['Connect web to appnet', 'tsman network connect appnet web'], ['With an alias and an address', 'tsman network connect --alias www --ip 10.89.0.50 appnet web']],
  });
  alias = Option.Array('--alias', [], { description: 'Network scoped alias for container' });
  ip = Option.String('--ip', { description: 'Set a static ipv4 address for this container network' });
  mac = Option.String('--mac-address', { description: 'Set a static mac address for this container network' });
  args = Option.Rest();

  async execute(): Promise<number> {
    exactArgs(this.args, 2);
    const engine = await this.api();
    await engine.networkConnect(this.args[0]!, this.args[1]!, { aliases: this.alias, ip: this.ip, mac: this.mac });
    return 0;
  }
}

export class NetworkDisconnectCommand extends TsmanCommand {
  static override paths = [['network', 'disconnect']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Disconnect a container from a network',
    examples: [['Disconnect web from appnet', 'tsman network disconnect appnet web']],
  });
  force = Option.Boolean('-f,--force', false, { description: 'force operation' });
  args = Option.Rest();

  async execute(): Promise<number> {
    exactArgs(this.args, 2);
    const engine = await this.api();
    await engine.networkDisconnect(this.args[0]!, this.args[1]!);
    return 0;
  }
}
