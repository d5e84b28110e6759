import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { requireUnshare } from '../../userns/joined.js';

export class ImageMountCommand extends TsmanCommand {
  static override paths = [['image', 'mount']];
  static override usage = Command.Usage({
    category: 'Images',
    description: "Mount an image's root filesystem read-only and print where",
    details: 'Rootless, run it inside `tsman unshare`: the mount lives in the user namespace.',
    examples: [['Look inside an image', 'tsman unshare sh -c \'ls $(tsman image mount busybox)\'']],
  });

  all = Bool('-a,--all', false, { description: 'Mount all images' });
  format = Option.String('--format', { description: 'Print the mounted images in the specified format (json)' });
  images = Option.Rest();

  async execute(): Promise<number> {
    requireUnshare('image mount');
    const engine = await this.api();
    if (this.images.length === 0 && !this.all) {
      for (const m of await engine.imageMounts()) this.out(`${m.id.slice(0, 12)}  ${m.names.join(' ')}  ${m.path}\n`);
      return 0;
    }
    for (const r of await engine.imageMount({ names: this.images, all: this.all })) {
      if (r.err) throw r.err;
      this.out(`${r.path}\n`);
    }
    return 0;
  }
}

export class ImageUnmountCommand extends TsmanCommand {
  static override paths = [['image', 'unmount'], ['image', 'umount']];
  static override usage = Command.Usage({
    category: 'Images',
    description: 'Unmount an image\'s root filesystem',
    examples: [['Unmount', 'tsman unshare tsman image unmount busybox']],
  });

  all = Bool('-a,--all', false, { description: 'Unmount all of the currently mounted images' });
  force = Bool('-f,--force', false, { description: 'Force the complete unmount of the specified mounted images' });
  images = Option.Rest();

  async execute(): Promise<number> {
    requireUnshare('image unmount');
    const engine = await this.api();
    for (const r of await engine.imageUnmount({ names: this.images, all: this.all })) {
      if (r.err) throw r.err;
      this.out(`${r.id}\n`);
    }
    return 0;
  }
}
