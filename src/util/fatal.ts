// The last line of error handling: an exception nobody caught (an 'error' event without a
// listener, a throw in a callback) or a promise rejection nobody awaited would otherwise reach
// Node's default handler, which prints a stack trace and exits 1 (7 for some). A user sees
// `Error: ...` and podman's 125 instead, and what a command registered with onFatal (a `run --rm`
// container, which podman never leaves behind) is undone before the process ends. The causes are
// fixed where they are found; this only makes sure the next one is not a stack trace.
import { writeSync } from 'node:fs';

type Cleanup = () => unknown;

const cleanups = new Set<Cleanup>();
let installed = false;
let dying = false;

/** Cleanups give up after this long: a wedged one must not keep a dying process alive. */
const CLEANUP_TIMEOUT_MS = 15_000;

/** Run `fn` if the process dies of an unexpected error; call the returned function once it no longer applies. */
export function onFatal(fn: Cleanup): () => void {
  cleanups.add(fn);
  return () => { cleanups.delete(fn); };
}

/** Whether an unexpected error is ending the process (its message has been printed). */
export function isDying(): boolean {
  return dying;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

function say(text: string): void {
  try { writeSync(2, text); } catch { /* stderr is gone: nothing to tell */ }
}

/** Install the handlers (once): `Error: <message>` on stderr, the cleanups, exit 125. */
export function installFatalHandlers(exitCode = 125): void {
  if (installed) return;
  installed = true;
  const handle = (err: unknown): void => {
    if (dying) {
      // a second failure while cleaning up after the first: already reported, already ending
      if (process.env.TSMAN_DEBUG && err instanceof Error) say(`${err.stack}\n`);
      return;
    }
    dying = true;
    say(`Error: ${errorText(err)}\n`);
    if (process.env.TSMAN_DEBUG && err instanceof Error) say(`${err.stack}\n`);
    process.exitCode = exitCode;
    const pending = [...cleanups].map((fn) => Promise.resolve().then(fn).catch(() => undefined));
    cleanups.clear();
    const timer = setTimeout(() => process.exit(exitCode), CLEANUP_TIMEOUT_MS);
    void Promise.all(pending).then(() => {
      clearTimeout(timer);
      process.exit(exitCode);
    });
  };
  process.on('uncaughtException', handle);
  process.on('unhandledRejection', handle);
}
