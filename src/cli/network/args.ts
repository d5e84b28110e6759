// cobra's argument-count messages for the network commands (the volume ones plus MinimumNArgs).
import { TsmanError } from '../../errors.js';

export { exactArgs, maxArgs, noArgs } from '../volume/args.js';

export function minArgs(args: string[], n: number): void {
  if (args.length < n) throw new TsmanError('EUSAGE', `requires at least ${n} arg(s), only received ${args.length}`);
}
