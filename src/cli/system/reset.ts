import { Command } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';

export class SystemResetCommand extends TsmanCommand {
  static override paths = [['system', 'reset']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Management',
    description: 'Reset tsman storage back to its initial state',
    details: 'Removes all images, layers and tsman state under the graph root and run root. Asks first unless -f.',
    examples: [['Reset without asking', 'tsman system reset -f']],
  });

  force = Bool('-f,--force', false, { description: 'Do not prompt for confirmation' });

  async execute(): Promise<number> {
    const engine = await this.api();
    if (!this.force) {
      const { confirm } = await import('../prompt.js');
      const q = `WARNING! This will remove:
        - all containers
        - all pods
        - all images
        - all networks
        - all build cache
        - all machines
        - all volumes
Are you sure you want to continue? [y/N] `;
      if (!(await confirm(this, q))) return 0;
    }
    await engine.systemReset();
    return 0;
  }
}
