import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';

export class RmiCommand extends TsmanCommand {
  static override paths = [['rmi'], ['image', 'rm']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Images',
    description: 'Remove one or more images from local storage',
    details: 'Exit status: 0 all removed; 1 an image did not exist (and nothing else failed); 2 an image is in use; 125 other errors.',
    examples: [
      ['Remove by name', 'tsman rmi 127.0.0.1:5000/tsman/busybox:latest'],
      ['Remove everything', 'tsman rmi -a -f'],
    ],
  });

  all = Bool('-a,--all', false, { description: 'Remove all images' });
  force = Bool('-f,--force', false, { description: 'Force removal of the image and any containers using it' });
  ignore = Bool('-i,--ignore', false, { description: 'Ignore errors if a specified image does not exist' });
  noPrune = Bool('--no-prune', false, { description: 'Do not remove dangling parent images' });
  names = Option.Rest();

  async execute(): Promise<number> {
    if (this.names.length === 0 && !this.all) throw new TsmanError('EUSAGE', 'image name or ID must be specified');
    if (this.names.length > 0 && this.all) throw new TsmanError('EUSAGE', 'when using the --all switch, you may not pass any images names or IDs');
    const engine = await this.api();
    const rep = await engine.imageRm(this.names, { force: this.force, all: this.all, ignore: this.ignore });
    for (const u of rep.untagged) this.out(`Untagged: ${u}\n`);
    for (const d of rep.deleted) this.out(`Deleted: ${d}\n`);
    for (const e of rep.errors) this.context.stderr.write(`Error: ${e.message}\n`);
    return rep.errors.length ? (rep.exitCode || 125) : 0;
  }
}
