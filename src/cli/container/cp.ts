import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';

export class CpCommand extends TsmanCommand {
  static override paths = [['cp'], ['container', 'cp']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Containers',
    description: 'Copy files/folders between a container and the local filesystem',
    details: `
      Copy the contents of SRC_PATH to the DEST_PATH: from a container's file system to the host, from the host into a container, or between two containers. If "-" is given for either path, a tar archive is streamed from STDIN or to STDOUT. The container can be running or stopped.

      Paths in a container are resolved inside it, as if it were the root: a symlink there never leads out of the container. A path ending in "/." copies a directory's contents rather than the directory.

      With --archive (the default) what is copied into a container is owned by the container's user (its --user, else root); with --archive=false it keeps the source's owner. What is copied to the host is owned by the calling user.
    `,
    examples: [
      ['Copy a file out of a container', 'tsman cp web:/etc/os-release ./os-release'],
      ['Copy a directory into a container', 'tsman cp ./site web:/var/www'],
      ['Copy the contents of a directory', 'tsman cp ./site/. web:/var/www/html'],
      ['Stream a tar archive out', 'tsman cp web:/var/log - > logs.tar'],
      ['Unpack a tar archive into a container directory', 'tsman cp - web:/tmp < files.tar'],
    ],
  });

  archive = Bool('-a,--archive', true, { description: 'Chown copied files to the primary uid/gid of the destination container.' });
  overwrite = Bool('--overwrite', false, { description: 'Allow to overwrite directories with non-directories and vice versa' });
  extract = Bool('--extract', false, { hidden: true });
  pause = Bool('--pause', true, { hidden: true });
  args = Option.Rest();

  async execute(): Promise<number> {
    if (this.args.length !== 2) throw new TsmanError('EUSAGE', `accepts 2 arg(s), received ${this.args.length}`);
    const engine = await this.engine();
    const { copy } = await import('../../engine/cp.js');
    await copy(engine, this.args[0]!, this.args[1]!, {
      archive: this.archive, overwrite: this.overwrite,
      stdin: process.stdin, stdout: process.stdout, warn: (m) => this.warn(m),
    });
    return 0;
  }
}
