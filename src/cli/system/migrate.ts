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
    await (await this.api(true)).systemMigrate();
    return 0;
  }
}
