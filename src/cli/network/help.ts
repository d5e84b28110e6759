// `tsman network` alone: the subcommands, then podman's "missing command" error.
import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { groupHelp } from '../grouphelp.js';

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

export class NetworkCommand extends TsmanCommand {
  static override paths = [['network']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Manage networks (tsman network COMMAND)',
    examples: [['List them', 'tsman network ls']],
  });

  rest = Option.Rest();

  async execute(): Promise<number> {
    return groupHelp(this, this.rest, 'network', 'Manage networks', SUBCOMMANDS);
  }
}
