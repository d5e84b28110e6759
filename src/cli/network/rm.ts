import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';
import { minArgs } from './args.js';

export class NetworkRmCommand extends TsmanCommand {
  static override paths = [['network', 'rm'], ['network', 'remove']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Remove one or more networks (exit 1 when one does not exist, 2 when one is in use)',
    details: 'A network a container uses is refused unless --force, which removes those containers first. The default network cannot be removed.',
    examples: [
      ['Two networks', 'tsman network rm net1 net2'],
      ['With the containers using it', 'tsman network rm -f mynet'],
    ],
  });

  force = Bool('-f,--force', false, { description: 'remove any containers using network' });
  time = Option.String('-t,--time', { description: 'Seconds to wait for running containers to stop before killing the container' });
  names = Option.Rest();

  async execute(): Promise<number> {
    minArgs(this.names, 1);
    let timeout: number | undefined;
    if (this.time !== undefined) {
      if (!/^\d+$/.test(this.time)) throw new TsmanError('EUSAGE', `invalid argument "${this.time}" for "-t, --time" flag: strconv.ParseUint: parsing "${this.time}": invalid syntax`);
      if (!this.force) throw new TsmanError('EUSAGE', '--force option must be specified to use the --time option');
      timeout = Number(this.time);
    }
    const engine = await this.api();
    const { removed, errors } = await engine.networkRm(this.names, { force: this.force, timeout });
    for (const n of removed) this.out(`${n}\n`);
    for (const e of errors) this.context.stderr.write(`Error: ${e.message}\n`);
    if (errors.length === 0) return 0;
    // as podman: 1 when a network was missing, else the generic 125
    return errors.some((e) => e.code === 'ENOTFOUND') ? 1 : errors[errors.length - 1]!.exitCode;
  }
}
