import { Command } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class SystemMigrateCommand extends TsmanCommand {
  static override paths = [['system', 'migrate']];
  static override usage = Command.Usage({
    category: 'Management',
    description: 'Migrate to the current configuration: restarts the rootless user namespace (after a /etc/subuid change)',
    examples: [['After editing /etc/subuid', 'tsman system migrate']],
  });

  async execute(): Promise<number> {
    if (process.geteuid?.() === 0 && !process.env._TSMAN_USERNS) return 0;
    const { migrate } = await import('../../userns/index.js');
    const { resolvePaths } = await import('../../config/paths.js');
    await migrate(resolvePaths().runtimeDir);
    return 0;
  }
}
