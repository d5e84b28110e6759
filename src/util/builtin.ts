// A Node built-in module loaded when first used rather than when the importing module is: most
// commands never reach the code that needs it, and each built-in costs 0.5-2 ms to load.
import { createRequire } from 'node:module';

export function builtin<T>(id: string): T {
  const p = process as unknown as { getBuiltinModule?: (id: string) => T };
  // process.getBuiltinModule: Node 20.16+; any require() resolves built-ins the same way
  return p.getBuiltinModule ? p.getBuiltinModule(id) : createRequire('/')(id) as T;
}

/** node:child_process, loaded on first use (it loads net and stream with it). */
export const childProcess = (): typeof import('node:child_process') => builtin<typeof import('node:child_process')>('node:child_process');

/** node:net, loaded on first use. */
export const netModule = (): typeof import('node:net') => builtin<typeof import('node:net')>('node:net');
