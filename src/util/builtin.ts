// A Node built-in module loaded when first used rather than when the importing module is: most
// commands never reach the code that needs it, and each built-in costs 0.5-2 ms to load.
import { createRequire } from 'node:module';

export function builtin<T>(id: string): T {
  const p = process as unknown as { getBuiltinModule?: (id: string) => T };
  // process.getBuiltinModule: Node 20.16+; any require() resolves built-ins the same way
  return p.getBuiltinModule ? p.getBuiltinModule(id) : createRequire('/')(id) as T;
}
