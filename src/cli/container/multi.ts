// The base of the verbs that take a target list (start, stop, restart, kill, rm, wait): one report per
// target (podman's pattern: errors per container, the last one decides the exit code).
import { Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';
import { byteCompare } from '../../util/human.js';

export abstract class MultiCommand extends TsmanCommand {
  static override needsUserNamespace = true;
  all = Bool('-a,--all', false, { description: 'Act on all containers' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  names = Option.Rest();

  async targets(): Promise<string[]> {
    const engine = await this.engine();
    const state = engine.store.read();
    const ctrs = state.containers ?? [];
    if (this.all) return ctrs.map((c) => c.id);
    if (this.latest) {
      const last = [...ctrs].sort((a, b) => byteCompare(b.created, a.created))[0];
      return last ? [last.id] : [];
    }
    if (this.names.length === 0) throw new TsmanError('EUSAGE', `you must provide at least one name or id`);
    return this.names;
  }

  /** Run fn per target, print what it returns, report errors; exit code from the last error. */
  async each(fn: (name: string) => Promise<string | undefined>): Promise<number> {
    let code = 0;
    for (const n of await this.targets()) {
      try {
        const r = await fn(n);
        if (r !== undefined) this.out(`${r}\n`);
      } catch (err) {
        if (!(err instanceof TsmanError)) throw err;
        this.context.stderr.write(`Error: ${err.message}\n`);
        code = err.exitCode;
      }
    }
    return code;
  }
}
