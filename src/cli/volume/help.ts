// `tsman volume` alone: the subcommands, then podman's "missing command" error.
import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { groupHelp } from '../grouphelp.js';

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

export class VolumeCommand extends TsmanCommand {
  static override paths = [['volume']];
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Manage volumes (tsman volume COMMAND)',
    examples: [['List them', 'tsman volume ls']],
  });

  rest = Option.Rest();

  async execute(): Promise<number> {
    return groupHelp(this, this.rest, 'volume', 'Volumes are created in and can be shared between containers', SUBCOMMANDS);
  }
}
