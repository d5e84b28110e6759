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
    const engine = await this.api();
    const { makeProgress } = await import('../../image/progress.js');
    const c = await engine.containerCreate(this.createOptions(makeProgress(this.quiet)), this.cidfile);
    this.out(`${c.id}\n`);
    return 0;
  }
}
