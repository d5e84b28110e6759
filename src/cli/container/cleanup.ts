import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';

export class ContainerCleanupCommand extends TsmanCommand {
  static override paths = [['container', 'cleanup']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({ category: 'Containers', description: 'Clean up the network and mountpoints of one or more containers (run by the monitor when a container exits)', examples: [['Cleanup', 'tsman container cleanup web']] });
  rm = Bool('--rm', false, { description: 'After cleanup, remove the container entirely' });
  names = Option.Rest();
  async execute(): Promise<number> {
    const engine = await this.api();
    await engine.containerCleanup(this.names);
    return 0;
  }
}
