// `tsman network` alone or with --help: its subcommands (src/cli/grouphelp.ts).
import { groupCommand } from '../grouphelp.js';

const SUBCOMMANDS: Array<[string, string]> = [
  ['connect', 'Add container to a network'],
  ['create', 'Create a network'],
  ['disconnect', 'Disconnect a container from a network'],
  ['exists', 'Network exists'],
  ['inspect', 'Display detailed information on one or more networks'],
  ['ls', 'List networks'],
  ['prune', 'Remove all unused networks'],
  ['reload', 'Reload firewall rules for one or more containers'],
  ['rm', 'Remove one or more networks'],
];

export const NetworkCommand = groupCommand({
  group: 'network',
  title: 'Manage networks',
  category: 'Networks',
  example: ['List them', 'tsman network ls'],
  subcommands: SUBCOMMANDS,
});
