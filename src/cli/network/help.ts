// `tsman network` alone: the subcommands, then podman's "missing command" error.
import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { TsmanError } from '../../errors.js';

const SUBCOMMANDS: Array<[string, string]> = [
  ['connect', 'Add container to a network'],
  ['create', 'Create a network'],
  ['disconnect', 'Disconnect a container from a network'],
  ['exists', 'Network exists'],
  ['inspect', 'Display detailed information on one or more networks'],
  ['ls', 'List networks'],
  ['prune', 'Remove all unused networks'],
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
    if (this.rest.length > 0) {
      this.context.stderr.write(`Error: unrecognized command \`tsman network ${this.rest[0]}\`\nTry 'tsman network --help' for more information\n`);
      return 125;
    }
    this.out('Manage networks\n\nDescription:\n  Manage networks\n\n'
      + 'Usage:\n  tsman network [command]\n\nAvailable Commands:\n'
      + SUBCOMMANDS.map(([n, d]) => `  ${n.padEnd(12)}${d}\n`).join('') + '\n');
    throw new TsmanError('EUSAGE', "missing command 'tsman network COMMAND'");
  }
}
