import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { maxArgs, splitCommas } from './args.js';

export class VolumeCreateCommand extends TsmanCommand {
  static override paths = [['volume', 'create']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Create a new volume (in <graphroot>/tsman/volumes/NAME/_data unless containers.conf sets volume_path)',
    examples: [
      ['A named volume', 'tsman volume create myvol'],
      ['A random name', 'tsman volume create'],
      ['With labels', 'tsman volume create --label foo=bar myvol'],
      ['A tmpfs mounted at each container start', 'tsman volume create -o type=tmpfs -o device=tmpfs -o o=size=10m tmpvol'],
      ['Owned by uid/gid 1000 from the start', 'tsman volume create -o o=uid=1000,gid=1000 myvol'],
    ],
  });

  driver = Option.String('--driver', 'local', { description: 'Specify volume driver name (only "local")' });
  label = Option.Array('-l,--label', [], { description: 'Set metadata for a volume (key=value, comma-separated)' });
  opt = Option.Array('-o,--opt', [], { description: 'Set driver specific options: type=, device=, o= (uid=, gid=, size= for tmpfs, mount options)' });
  ignore = Bool('--ignore', false, { description: 'Do not fail if the volume already exists' });
  args = Option.Rest();

  async execute(): Promise<number> {
    maxArgs(this.args, 1);
    const engine = await this.api();
    const rec = await engine.volumeCreate({
      name: this.args[0], driver: this.driver, options: this.opt, labels: splitCommas(this.label), ignoreIfExists: this.ignore,
    });
    this.out(`${rec.name}\n`);
    return 0;
  }
}
