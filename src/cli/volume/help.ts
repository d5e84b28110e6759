// `tsman volume` alone or with --help: its subcommands (src/cli/grouphelp.ts).
import { Command } from 'clipanion';
import { GroupCommand } from '../grouphelp.js';

const SUBCOMMANDS: Array<[string, string]> = [
  ['create', 'Create a new volume'],
  ['exists', 'Volume exists'],
  ['export', 'Export volumes'],
  ['import', 'Import a tarball contents into a volume'],
  ['inspect', 'Display detailed information on one or more volumes'],
  ['ls', 'List volumes'],
  ['mount', 'Mount volume'],
  ['prune', 'Remove all unused volumes'],
  ['reload', 'reload all volumes from volume plugins'],
  ['rm', 'Remove one or more volumes'],
  ['unmount', 'Unmount volume'],
];

export class VolumeCommand extends GroupCommand {
  static override paths = [['volume']];
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Manage volumes (tsman volume COMMAND)',
    examples: [['List them', 'tsman volume ls']],
  });

  static override group = 'volume';
  static override title = 'Manage volumes';
  static override description = 'Volumes are created in and can be shared between containers';
  static override subcommands = SUBCOMMANDS;
}
