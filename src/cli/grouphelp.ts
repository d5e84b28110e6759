// `tsman container|image|system|network|volume` alone: the subcommands, then podman's "missing
// command" error; with --help (src/cli/main.ts) or `tsman help GROUP` the same listing and exit 0,
// as podman. test/unit/grouphelp.test.ts checks that each listing names exactly the group's
// registered verbs.
import { Command, Option } from 'clipanion';
import { TsmanError } from '../errors.js';
import { TsmanCommand } from './base.js';

export abstract class GroupCommand extends TsmanCommand {
  /** the noun: `tsman GROUP COMMAND` */
  static group: string;
  /** podman's first line: "Manage containers" */
  static title: string;
  static description: string;
  /** verb and one-line description, in podman's (alphabetical) order */
  static subcommands: Array<[string, string]>;

  static helpText(): string {
    return `${this.title}\n\nDescription:\n  ${this.description}\n\n`
      + `Usage:\n  tsman ${this.group} [command]\n\nAvailable Commands:\n`
      + this.subcommands.map(([n, d]) => `  ${n.padEnd(12)}${d}\n`).join('') + '\n';
  }

  rest = Option.Rest();

  async execute(): Promise<number> {
    const cls = this.constructor as typeof GroupCommand;
    if (this.rest.length > 0) {
      this.context.stderr.write(`Error: unrecognized command \`tsman ${cls.group} ${this.rest[0]}\`\nTry 'tsman ${cls.group} --help' for more information\n`);
      return 125;
    }
    this.context.stdout.write(cls.helpText());
    throw new TsmanError('EUSAGE', `missing command 'tsman ${cls.group} COMMAND'`);
  }
}

export interface GroupSpec {
  group: string;
  /** podman's first line, e.g. "Manage containers" */
  title: string;
  /** the Description paragraph, when it says more than the title */
  description?: string;
  /** clipanion's help category (`tsman help`) */
  category: string;
  example: [string, string];
  subcommands: Array<[string, string]>;
}

/** The command for `tsman GROUP`: every group's is the same but for this data. */
export function groupCommand(o: GroupSpec) {
  return class extends GroupCommand {
    static override paths = [[o.group]];
    static override usage = Command.Usage({
      category: o.category,
      description: `${o.title} (tsman ${o.group} COMMAND)`,
      examples: [o.example],
    });

    static override group = o.group;
    static override title = o.title;
    static override description = o.description ?? o.title;
    static override subcommands = o.subcommands;
  };
}
