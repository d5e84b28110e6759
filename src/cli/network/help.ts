// `tsman network` alone or with --help: its subcommands (src/cli/grouphelp.ts).
import { Command } from 'clipanion';
import { GroupCommand } from '../grouphelp.js';

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

export class NetworkCommand extends GroupCommand {
  static override paths = [['network']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Manage networks (tsman network COMMAND)',
    examples: [['List them', 'tsman network ls']],
  });

  static override group = 'network';
  static override title = 'Manage networks';
  static override description = 'Manage networks';
  static override subcommands = SUBCOMMANDS;
}
