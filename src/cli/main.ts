// Entry point: take over the top level from clipanion (which would print errors on stdout and
// exit 0 from a catch), so every failure is `Error: ...` on stderr with podman's exit code.
import { Cli, UsageError } from 'clipanion';
import { commands } from './registry.js';
import { normalizeBooleanFlags, extractGlobals, splitShortValues, checkGlobals } from './options.js';
import type { TsmanCommand, TsmanContext } from './base.js';
import { TsmanError } from '../errors.js';
import { VERSION } from '../version.js';
import { useLazyMachine } from './lazymachine.js';
import { mark } from '../util/timing.js';
import { stdout, stderr } from '../util/stdio.js';
import { installFatalHandlers, isDying } from '../util/fatal.js';
// first: takes bin/tsman's namespace marker out of the environment (src/userns/joined.ts)
import '../userns/joined.js';

/** The key of the command set a command line's first word selects (see makeCli). */
function commandSetKey(first: string | undefined): string {
  return first !== undefined && !first.startsWith('-') && first !== 'help' && commands.some((c) => c.paths.some((p) => p[0] === first))
    ? first : ALL;
}
const ALL = '_all';

/**
 * A Cli with the commands a first word can name (`key`), or all of them for help and errors:
 * clipanion compiles one state machine over every registered command (~100 ms for all of them).
 */
export async function makeCli(key: string): Promise<Cli<TsmanContext>> {
  const cli = new Cli<TsmanContext>({ binaryLabel: 'tsman', binaryName: 'tsman', binaryVersion: VERSION, enableCapture: false });
  // asked only to print usage or errors (util/stdio.ts: no stream for a file or pipe)
  Object.defineProperty(cli, 'enableColors', { get: () => !!stdout().isTTY && !process.env.NO_COLOR });
  const wanted = key === ALL ? commands : commands.filter((c) => c.paths.some((p) => p[0] === key));
  for (const c of await Promise.all(wanted.map((e) => e.load()))) cli.register(c);
  return cli;
}

export { exitNow } from '../util/libc.js';


export interface MainOptions {
  /** where parse machines are kept: `<machineCache>-<command set>.json` (bin/boot.cjs) */
  machineCache?: string;
}

export async function main(argv: string[], opts: MainOptions = {}): Promise<number> {
  // no stack trace ever reaches a user: anything uncaught is `Error: ...` and 125 (util/fatal.ts)
  installFatalHandlers();
  const words = new Set<string>();
  for (const c of commands) for (const p of c.paths) for (const w of p) words.add(w);
  mark('main');
  const { globals, rest } = extractGlobals(argv, words);
  const key = commandSetKey(rest[0]);
  const cli = await makeCli(key);
  useLazyMachine(cli as unknown as Cli<never>, opts.machineCache !== undefined ? `${opts.machineCache}-${key}.json` : undefined);
  const args = normalizeBooleanFlags(splitShortValues(rest, words));
  lastArgv = rest.filter((a) => !a.startsWith('-')).slice(0, 2);
  // clipanion's defaults (stdio, colour depth) stay behind it, read only if used (hack/bundle.mjs)
  // stdout/stderr: plain fds written directly where they are files or pipes (util/stdio.ts)
  const context = Object.create(Cli.defaultContext, {
    stdout: { get: stdout, enumerable: true },
    stderr: { get: stderr, enumerable: true },
  }) as TsmanContext;
  context.globals = globals;

  let command: TsmanCommand;
  try {
    checkGlobals(globals);
    if (args.length === 0) args.push('--help');
    if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
      stdout().write(`tsman version ${VERSION}\n`);
      return 0;
    }
    // `help GROUP` too: help.ts cannot ask for it (the registry it would import loads help.ts)
    const listing = await groupListing(args.length === 2 && args[0] === 'help' ? [args[1]!, '--help'] : args);
    if (listing !== undefined) {
      stdout().write(listing);
      return 0;
    }
    command = cli.process(args, context) as TsmanCommand;
  } catch (err) {
    return report(err);
  }

  // what Cli.run() would set up; we run the command ourselves to own error output and exit codes
  command.context = context;
  command.cli = {
    binaryLabel: cli.binaryLabel, binaryName: cli.binaryName, binaryVersion: cli.binaryVersion,
    enableCapture: false, get enableColors() { return cli.enableColors; },
    definitions: () => cli.definitions(),
    error: (error, opts) => cli.error(error, opts),
    format: (colored) => cli.format(colored),
    process: (input, sub) => cli.process(input, { globals, ...sub }),
    run: (input, sub) => cli.run(input, { globals, ...sub }),
    usage: (cmd, opts) => cli.usage(cmd, opts),
  };
  if (command.help) {
    stdout().write(cli.usage(command, { detailed: true }));
    return 0;
  }

  const ctor = command.constructor as typeof TsmanCommand;
  if (ctor.needsUserNamespace && process.geteuid?.() !== 0 && !process.env._TSMAN_USERNS) {
    try {
      const { reexecInUserNamespace } = await import('../userns/index.js');
      const { resolvePaths } = await import('../config/paths.js');
      process.env._TSMAN_ROOTLESS_UID = String(process.geteuid?.());
      return await reexecInUserNamespace(resolvePaths().runtimeDir, process.argv.slice(1));
    } catch (err) {
      return report(err);
    }
  }

  mark('parsed');
  try {
    const code = await command.validateAndExecute();
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    return report(err);
  }
}

/**
 * `tsman container --help` (and image, system, network, volume): the group's verbs as podman
 * lists them (src/cli/grouphelp.ts), where clipanion would print the group command's own usage.
 */
async function groupListing(args: string[]): Promise<string | undefined> {
  if (args.length !== 2 || (args[1] !== '--help' && args[1] !== '-h')) return undefined;
  const entry = commands.find((c) => c.paths.some((p) => p.length === 1 && p[0] === args[0]));
  const cls = entry && await entry.load() as { helpText?: () => string };
  return typeof cls?.helpText === 'function' ? cls.helpText() : undefined;
}

let lastArgv: string[] = [];

function report(err: unknown): number {
  // an uncaught error is ending the process: it has been reported (util/fatal.ts)
  if (isDying()) return 125;
  if (err instanceof TsmanError) {
    stderr().write(`Error: ${err.message}\n`);
    if (err.hint) stderr().write(`Hint: ${err.hint}\n`);
    return err.exitCode;
  }
  if (err instanceof Error && err.name === 'UnknownSyntaxError' && /^Command not found/.test(err.message)) {
    stderr().write(`Error: unrecognized command \`tsman ${lastArgv.join(' ')}\`\nTry 'tsman --help' for more information\n`);
    return 125;
  }
  if (err instanceof UsageError || (err instanceof Error && (err.name === 'UnknownSyntaxError' || err.name === 'AmbiguousSyntaxError'))) {
    const first = err.message.split('\n')[0]!.replace(/^Invalid option name \("?(.*?)"?\)\.?$/, 'unknown flag: $1')
      .replace(/^Unsupported option name \("?(.*?)"?\)\.?$/, 'unknown flag: $1');
    stderr().write(`Error: ${first}\n`);
    stderr().write(`See 'tsman --help'\n`);
    return 125;
  }
  const msg = err instanceof Error ? err.message : String(err);
  stderr().write(`Error: ${msg}\n`);
  if (process.env.TSMAN_DEBUG && err instanceof Error) stderr().write(`${err.stack}\n`);
  return 125;
}
