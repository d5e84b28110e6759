// TSMAN_TIMING=1: print milestones of one command on stderr, in ms since the process started
// (performance.now() counts from Node's start), to see where a command's time goes without a
// profiler's overhead. bench/README.md shows how to read them. Costs one env lookup otherwise.
const on = !!process.env.TSMAN_TIMING;

export function mark(what: string): void {
  if (on) process.stderr.write(`timing ${performance.now().toFixed(1).padStart(7)} ms  ${what}\n`);
}
