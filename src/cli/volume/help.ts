// `tsman volume` alone or with --help: its subcommands (src/cli/grouphelp.ts).
import { groupCommand } from '../grouphelp.js';

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

export const VolumeCommand = groupCommand({
  group: 'volume',
  title: 'Manage volumes',
  description: 'Volumes are created in and can be shared between containers',
  category: 'Volumes',
  example: ['List them', 'tsman volume ls'],
  subcommands: SUBCOMMANDS,
});
