// volume mount / unmount / reload (podman 4.3). A local volume's data is always at its
// mountpoint: mount prints it; a volume with mount options (-o type=tmpfs ...) is mounted there
// for real and unmount undoes that. Rootless, as podman: only inside `tsman unshare`.
import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { requireUnshare } from '../../userns/joined.js';
import { minArgs } from '../network/args.js';
import { noArgs } from './args.js';

export class VolumeMountCommand extends TsmanCommand {
  static override paths = [['volume', 'mount']];
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Mount volume: print where its data is (mounting it first when it has mount options)',
    details: 'Rootless, run it inside `tsman unshare`.',
    examples: [['Where is the data', 'tsman volume mount myvol'], ['Rootless', "tsman unshare sh -c 'ls $(tsman volume mount myvol)'"]],
  });
  args = Option.Rest();

  async execute(): Promise<number> {
    requireUnshare('volume mount');
    minArgs(this.args, 1);
    const engine = await this.api();
    for (const name of this.args) this.out(`${await engine.volumeMount(name)}\n`);
    return 0;
  }
}

export class VolumeUnmountCommand extends TsmanCommand {
  static override paths = [['volume', 'unmount'], ['volume', 'umount']];
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Unmount volume (a volume mounted by `volume mount` because of its mount options)',
    examples: [['Unmount', 'tsman volume unmount myvol']],
  });
  args = Option.Rest();

  async execute(): Promise<number> {
    requireUnshare('volume unmount');
    minArgs(this.args, 1);
    const engine = await this.api();
    for (const name of this.args) this.out(`${await engine.volumeUnmount(name)}\n`);
    return 0;
  }
}

export class VolumeReloadCommand extends TsmanCommand {
  static override paths = [['volume', 'reload']];
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Reload all volumes from volume plugins (tsman has only the local driver: nothing to reload)',
    examples: [['Reload', 'tsman volume reload']],
  });
  args = Option.Rest();

  async execute(): Promise<number> {
    noArgs(this.args, 'volume reload');
    await this.engine();
    return 0;
  }
}
