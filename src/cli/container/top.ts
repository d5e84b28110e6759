import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class TopCommand extends TsmanCommand {
  static override paths = [['top'], ['container', 'top']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({ category: 'Containers', description: 'Display the running processes of a container', examples: [['Processes', 'tsman top web']] });
  name = Option.String({ required: true });
  descriptors = Option.Rest();
  async execute(): Promise<number> {
    const engine = await this.api();
    const { tabwrite } = await import('../../format/template.js');
    const rows = await engine.containerTop(this.name);
    this.out(tabwrite(rows.map((r) => r.join('\t')).join('\n') + '\n'));
    return 0;
  }
}
