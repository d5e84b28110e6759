import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class PauseCommand extends TsmanCommand {
  static override paths = [['pause'], ['container', 'pause']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({ category: 'Containers', description: 'Pause all the processes in one or more containers (needs the cgroup freezer)', examples: [['Pause', 'tsman pause web']] });
  names = Option.Rest({ required: 1 });
  async execute(): Promise<number> {
    const engine = await this.api();
    for (const n of this.names) { await engine.containerPause(n, true); this.out(`${n}\n`); }
    return 0;
  }
}
