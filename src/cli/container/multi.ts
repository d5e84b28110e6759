// The base of the verbs that take a target list (start, stop, restart, kill, rm, wait): the engine
// resolves the targets and returns one report per target (podman's pattern); this prints them,
// errors on stderr, and the last error decides the exit code.
import { Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import type { Report, Targets } from '../../engine/api/reports.js';

export abstract class MultiCommand extends TsmanCommand {
  static override needsUserNamespace = true;
  all = Bool('-a,--all', false, { description: 'Act on all containers' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  names = Option.Rest();

  targets(): Targets {
    return { names: this.names, all: this.all, latest: this.latest };
  }

  /** Print each report (`line`, the name as given by default) or its error; the exit code. */
  printReports<R extends Report>(reports: R[], line: (r: R) => string = (r) => r.rawInput): number {
    let code = 0;
    for (const r of reports) {
      if (r.err) {
        this.context.stderr.write(`Error: ${r.err.message}\n`);
        code = r.err.exitCode;
      } else {
        this.out(`${line(r)}\n`);
      }
    }
    return code;
  }
}
