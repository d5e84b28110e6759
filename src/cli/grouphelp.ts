// `tsman volume` / `tsman network` alone: the subcommands, then podman's "missing command" error.
import { TsmanError } from '../errors.js';
import type { TsmanCommand } from './base.js';

export function groupHelp(cmd: TsmanCommand, rest: string[], group: string, description: string, subcommands: Array<[string, string]>): number {
  if (rest.length > 0) {
    cmd.context.stderr.write(`Error: unrecognized command \`tsman ${group} ${rest[0]}\`\nTry 'tsman ${group} --help' for more information\n`);
    return 125;
  }
  cmd.context.stdout.write(`Manage ${group}s\n\nDescription:\n  ${description}\n\n`
    + `Usage:\n  tsman ${group} [command]\n\nAvailable Commands:\n`
    + subcommands.map(([n, d]) => `  ${n.padEnd(12)}${d}\n`).join('') + '\n');
  throw new TsmanError('EUSAGE', `missing command 'tsman ${group} COMMAND'`);
}
