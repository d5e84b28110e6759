// `tsman container` alone or with --help: its subcommands (src/cli/grouphelp.ts).
import { groupCommand } from '../grouphelp.js';

const SUBCOMMANDS: Array<[string, string]> = [
  ['attach', 'Attach to a running container'],
  ['cleanup', 'Clean up network and mountpoints of one or more containers'],
  ['cp', 'Copy files/folders between a container and the local filesystem'],
  ['create', 'Create but do not start a container'],
  ['diff', "Inspect changes to the container's file systems"],
  ['exec', 'Run a process in a running container'],
  ['exists', 'Check if a container exists in local storage'],
  ['inspect', 'Display the configuration of a container'],
  ['kill', 'Kill one or more running containers with a specific signal'],
  ['list', 'List containers'],
  ['logs', 'Fetch the logs of one or more containers'],
  ['mount', "Mount a working container's root filesystem"],
  ['pause', 'Pause all the processes in one or more containers'],
  ['port', 'List port mappings or a specific mapping for the container'],
  ['prune', 'Remove all non running containers'],
  ['ps', 'List containers'],
  ['rename', 'Rename an existing container'],
  ['restart', 'Restart one or more containers'],
  ['rm', 'Remove one or more containers'],
  ['run', 'Run a command in a new container'],
  ['start', 'Start one or more containers'],
  ['stop', 'Stop one or more containers'],
  ['top', 'Display the running processes of a container'],
  ['unmount', "Unmounts working container's root filesystem"],
  ['unpause', 'Unpause the processes in one or more containers'],
  ['wait', 'Block on one or more containers'],
];

export const ContainerCommand = groupCommand({
  group: 'container',
  title: 'Manage containers',
  category: 'Containers',
  example: ['List them', 'tsman container ls'],
  subcommands: SUBCOMMANDS,
});
