// volume export / volume import
import { Command, Option } from 'clipanion';
import { Writable, type Readable } from 'node:stream';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { TsmanCommand } from '../base.js';
import { TsmanError } from '../../errors.js';
import { exactArgs } from './args.js';

export class VolumeExportCommand extends TsmanCommand {
  static override paths = [['volume', 'export']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Export the content of a volume as a tar archive',
    examples: [['To a file', 'tsman volume export -o myvol.tar myvol'], ['To stdout', 'tsman volume export myvol | tar tvf -']],
  });

  output = Option.String('-o,--output', { description: 'Write to a specified file (default: stdout)' });
  args = Option.Rest();

  async execute(): Promise<number> {
    exactArgs(this.args, 1);
    const engine = await this.api();
    const { goErrno } = await import('../../engine/volumes.js');
    // the volume first: a missing one must not leave an empty file behind
    if (!(await engine.volumeLookup(this.args[0]!))) throw new TsmanError('ENOTFOUND', `no such volume ${this.args[0]}`);
    let out: Writable;
    if (this.output !== undefined && this.output !== '/dev/stdout') {
      const file = this.output;
      const ws = createWriteStream(file);
      try {
        await once(ws, 'open');
      } catch (err) {
        throw new TsmanError('EGENERIC', `could not create tarball file '${file}': open ${file}: ${goErrno(err)}`);
      }
      out = ws;
    } else {
      const stdout = this.context.stdout;
      out = new Writable({ write: (chunk, _enc, cb) => { stdout.write(chunk, (err) => cb(err ?? null)); } });
    }
    await engine.volumeExport(this.args[0]!, out);
    return 0;
  }
}

export class VolumeImportCommand extends TsmanCommand {
  static override paths = [['volume', 'import']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Volumes',
    description: 'Import a tarball (plain, gzip or zstd) into a volume, over its content',
    examples: [['From a file', 'tsman volume import myvol /home/user/import.tar'], ['From stdin', 'cat ctr.tar | tsman volume import myvol -']],
  });

  args = Option.Rest();

  async execute(): Promise<number> {
    exactArgs(this.args, 2);
    const [name, source] = this.args as [string, string];
    const engine = await this.api();
    const { goErrno } = await import('../../engine/volumes.js');
    if (!(await engine.volumeLookup(name))) throw new TsmanError('ENOTFOUND', `no such volume ${name}`);
    let input: Readable;
    if (source === '-') {
      input = process.stdin;
    } else {
      const rs = createReadStream(source);
      try {
        await once(rs, 'open');
      } catch (err) {
        throw new TsmanError('EGENERIC', `open ${source}: ${goErrno(err)}`);
      }
      input = rs;
    }
    await engine.volumeImport(name, input, { warn: (m) => this.warn(m) });
    return 0;
  }
}
