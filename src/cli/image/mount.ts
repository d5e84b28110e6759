import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';
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
    const engine = await this.engine();
    const { mountImage, listImageMounts } = await import('../../engine/imagemount.js');
    if (this.images.length === 0 && !this.all) {
      for (const m of await listImageMounts(engine)) this.out(`${m.id.slice(0, 12)}  ${m.names.join(' ')}  ${m.path}\n`);
      return 0;
    }
    const names = this.all ? engine.store.read().images.map((i) => i.id) : this.images;
    for (const n of names) this.out(`${await mountImage(engine, n)}\n`);
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
    const engine = await this.engine();
    const { unmountImage, listImageMounts } = await import('../../engine/imagemount.js');
    const names = this.all ? (await listImageMounts(engine)).map((m) => m.id) : this.images;
    if (names.length === 0) throw new TsmanError('EUSAGE', 'image name or ID must be specified');
    for (const n of names) {
      const id = await unmountImage(engine, n);
      this.out(`${id}\n`);
    }
    return 0;
  }
}
