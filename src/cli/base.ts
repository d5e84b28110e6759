import { Command } from 'clipanion';
import type { BaseContext } from 'clipanion';
import type { GlobalOptions } from './options.js';
import type { Engine } from '../engine/index.js';
import type { EngineApi } from '../engine/api/index.js';

export interface TsmanContext extends BaseContext {
  globals: GlobalOptions;
}

/**
 * Base of every tsman command. Commands parse and print; the Engine does the work. The engine
 * module is imported lazily so `--help` and parse errors never load storage or registry code.
 */
export abstract class TsmanCommand extends Command<TsmanContext> {
  /** Rootless: run this command inside the user namespace (re-exec through the pause process). */
  static needsUserNamespace = false;

  private engineInstance?: Engine;

  async engine(): Promise<Engine> {
    if (!this.engineInstance) {
      const { Engine } = await import('../engine/index.js');
      this.engineInstance = await Engine.open(this.context.globals);
    }
    return this.engineInstance;
  }

  /**
   * The engine API (src/engine/api/), served in this process. The engine (configuration, store)
   * is opened here, where commands opened it before the API existed, so that its errors come at
   * the same point; `lazy`: only when a verb needs it (`system migrate` never does).
   */
  async api(lazy = false): Promise<EngineApi> {
    if (!lazy) await this.engine();
    const { LocalEngine } = await import('../engine/local/index.js');
    return new LocalEngine(() => this.engine());
  }

  out(text: string): void {
    this.context.stdout.write(text);
  }

  warn(text: string): void {
    this.context.stderr.write(`WARN[0000] ${text}\n`);
  }
}
