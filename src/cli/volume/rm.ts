import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';

export class VolumeRmCommand extends TsmanCommand {
  static override paths = [['volume', 'rm'], ['volume', 'remove']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Remove one or more volumes (exit 1 when one does not exist, 2 when one is in use)',
    details: 'By default only volumes that are not being used by any containers will be removed. To remove the volumes anyways, use the --force flag: the containers using them are removed first.',
    examples: [
      ['Two volumes', 'tsman volume rm myvol1 myvol2'],
      ['Every volume', 'tsman volume rm --all'],
      ['With the containers using it', 'tsman volume rm --force myvol'],
    ],
  });

  all = Bool('-a,--all', false, { description: 'Remove all volumes' });
  force = Bool('-f,--force', false, { description: 'Remove a volume by force, even if it is being used by a container' });
  time = Option.String('-t,--time', { description: 'Seconds to wait for running containers to stop before killing the container (default 10)' });
  names = Option.Rest();

  async execute(): Promise<number> {
    if ((this.names.length > 0 && this.all) || (this.names.length === 0 && !this.all)) {
      throw new TsmanError('EUSAGE', 'choose either one or more volumes or all');
    }
    let timeout: number | undefined;
    if (this.time !== undefined) {
      if (!/^\d+$/.test(this.time)) throw new TsmanError('EUSAGE', `invalid argument "${this.time}" for "-t, --time" flag: strconv.ParseUint: parsing "${this.time}": invalid syntax`);
      timeout = Number(this.time);
    }
    const engine = await this.api();
    const reports = await engine.volumeRm({ names: this.names, all: this.all }, { force: this.force, timeout });
    for (const r of reports) if (!r.err) this.out(`${r.rawInput}\n`);
    const errors = reports.flatMap((r) => (r.err ? [r.err] : []));
    // as podman: the errors after the names, the exit code of the last one
    for (const e of errors) this.context.stderr.write(`Error: ${e.message}\n`);
    return errors.length ? errors[errors.length - 1]!.exitCode : 0;
  }
}
