import { Command } from 'clipanion';
import { CreateFlagsCommand } from './flags.js';

export class CreateCommand extends CreateFlagsCommand {
  static override paths = [['create'], ['container', 'create']];
  static override usage = Command.Usage({
    category: 'Containers',
    description: 'Create but do not start a container',
    examples: [['Create', 'tsman create --name box 127.0.0.1:5000/tsman/busybox sleep 100']],
  });

  async execute(): Promise<number> {
    const engine = await this.engine();
    const { makeProgress } = await import('../../image/progress.js');
    const { createOnly } = await import('../../engine/containers/index.js');
    const c = await createOnly(engine, this.createOptions(makeProgress(this.quiet)), this.cidfile);
    this.out(`${c.id}\n`);
    return 0;
  }
}
