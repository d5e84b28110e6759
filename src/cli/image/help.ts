// `tsman image` alone or with --help: its subcommands (src/cli/grouphelp.ts).
import { groupCommand } from '../grouphelp.js';

const SUBCOMMANDS: Array<[string, string]> = [
  ['exists', 'Check if an image exists in local storage'],
  ['history', 'Show history of a specified image'],
  ['inspect', 'Display the configuration of an image'],
  ['list', 'List images in local storage'],
  ['mount', "Mount an image's root filesystem"],
  ['prune', 'Remove unused images'],
  ['pull', 'Pull an image from a registry'],
  ['rm', 'Removes one or more images from local storage'],
  ['tag', 'Add an additional name to a local image'],
  ['unmount', "Unmount an image's root filesystem"],
  ['untag', 'Remove a name from a local image'],
];

export const ImageCommand = groupCommand({
  group: 'image',
  title: 'Manage images',
  category: 'Images',
  example: ['List them', 'tsman image ls'],
  subcommands: SUBCOMMANDS,
});
