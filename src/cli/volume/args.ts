// cobra's argument-count messages, which podman prints for the volume commands.
import { TsmanError } from '../../errors.js';

export function exactArgs(args: string[], n: number): void {
  if (args.length !== n) throw new TsmanError('EUSAGE', `accepts ${n} arg(s), received ${args.length}`);
}

export function maxArgs(args: string[], n: number): void {
  if (args.length > n) throw new TsmanError('EUSAGE', `accepts at most ${n} arg(s), received ${args.length}`);
}

export function noArgs(args: string[], command: string): void {
  if (args.length > 0) throw new TsmanError('EUSAGE', `\`tsman ${command}\` takes no arguments`);
}

/** pflag's StringSlice: every value is itself a comma-separated list. */
export function splitCommas(values: string[]): string[] {
  return values.flatMap((v) => v.split(','));
}
