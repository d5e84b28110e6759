import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';

export class DiffCommand extends TsmanCommand {
  static override paths = [['diff'], ['container', 'diff']];
  static override usage = Command.Usage({ category: 'Containers', description: "Inspect changes to a container's file systems (A added, C changed, D deleted)", examples: [['Changes', 'tsman diff web']] });
  format = Option.String('--format', { description: 'Change the output format (json)' });
  name = Option.String({ required: true });
  async execute(): Promise<number> {
    const engine = await this.api();
    const changes = await engine.containerDiff(this.name);
    if (this.format === 'json') {
      const by = (k: string) => changes.filter((c) => c.kind === k).map((c) => c.path);
      const obj: Record<string, string[]> = {};
      if (by('C').length) obj.changed = by('C');
      if (by('A').length) obj.added = by('A');
      if (by('D').length) obj.deleted = by('D');
      this.out(JSON.stringify(obj, null, 4) + '\n');
      return 0;
    }
    for (const c of changes) this.out(`${c.kind} ${c.path}\n`);
    return 0;
  }
}
