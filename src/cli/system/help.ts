// `tsman system` alone or with --help: its subcommands (src/cli/grouphelp.ts).
import { groupCommand } from '../grouphelp.js';

const SUBCOMMANDS: Array<[string, string]> = [
  ['info', 'Display tsman system information'],
  ['migrate', 'Migrate containers'],
  ['reset', 'Reset tsman storage'],
  ['version', 'Display the tsman version information'],
];

export const SystemCommand = groupCommand({
  group: 'system',
  title: 'Manage tsman',
  category: 'Management',
  example: ['Storage and host details', 'tsman system info'],
  subcommands: SUBCOMMANDS,
});
