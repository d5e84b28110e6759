import type { TsmanCommand } from './base.js';

/** Ask a y/N question on the terminal; with no terminal on stdin, the answer is no. */
export async function confirm(cmd: TsmanCommand, question: string): Promise<boolean> {
  cmd.context.stdout.write(question);
  const stdin = process.stdin;
  const answer = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) { cleanup(); resolve(buf.split('\n')[0]!); }
    };
    const onEnd = () => { cleanup(); resolve(buf); };
    const cleanup = () => { stdin.off('data', onData); stdin.off('end', onEnd); stdin.pause(); };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.resume();
  });
  return /^y(es)?$/i.test(answer.trim());
}
