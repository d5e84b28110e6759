// `tsman system` alone or with --help: its subcommands (src/cli/grouphelp.ts).
import { Command } from 'clipanion';
import { GroupCommand } from '../grouphelp.js';

const SUBCOMMANDS: Array<[string, string]> = [
  ['info', 'Display tsman system information'],
  ['migrate', 'Migrate containers'],
  ['reset', 'Reset tsman storage'],
  ['version', 'Display the tsman version information'],
];

export class SystemCommand extends GroupCommand {
  static override paths = [['system']];
  static override usage = Command.Usage({
    category: 'Management',
    description: 'Manage tsman (tsman system COMMAND)',
    examples: [['Storage and host details', 'tsman system info']],
  });

  static override group = 'system';
  static override title = 'Manage tsman';
  static override description = 'Manage tsman';
  static override subcommands = SUBCOMMANDS;
}
