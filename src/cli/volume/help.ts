// `tsman volume` alone: the subcommands, then podman's "missing command" error.
import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { TsmanError } from '../../errors.js';

const SUBCOMMANDS: Array<[string, string]> = [
  ['create', 'Create a new volume'],
  ['exists', 'Volume exists'],
  ['export', 'Export volumes'],
  ['import', 'Import a tarball contents into a volume'],
  ['inspect', 'Display detailed information on one or more volumes'],
  ['ls', 'List volumes'],
  ['prune', 'Remove all unused volumes'],
  ['rm', 'Remove one or more volumes'],
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
    if (this.rest.length > 0) {
      this.context.stderr.write(`Error: unrecognized command \`tsman volume ${this.rest[0]}\`\nTry 'tsman volume --help' for more information\n`);
      return 125;
    }
    this.out('Manage volumes\n\nDescription:\n  Volumes are created in and can be shared between containers\n\n'
      + 'Usage:\n  tsman volume [command]\n\nAvailable Commands:\n'
      + SUBCOMMANDS.map(([n, d]) => `  ${n.padEnd(12)}${d}\n`).join('') + '\n');
    throw new TsmanError('EUSAGE', "missing command 'tsman volume COMMAND'");
  }
}
