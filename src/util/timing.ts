// TSMAN_TIMING=1: print milestones of one command on stderr, in ms since the process started
// (performance.now() counts from Node's start), to see where a command's time goes without a
// profiler's overhead (bin/boot.cjs adds the end of the command and the exit). performance.now()
// starts a few ms into Node's own start-up: add the launcher's and Node's early start-up to
// compare with a wall-clock time. Costs one env lookup otherwise.
import { writeSync } from 'node:fs';

const on = !!process.env.TSMAN_TIMING;

export function mark(what: string): void {
  // fd 2 directly: process.stderr would load the stream modules the measured command may not need
  if (on) writeSync(2, `timing ${performance.now().toFixed(1).padStart(7)} ms  ${what}\n`);
}
