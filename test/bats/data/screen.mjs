// Replays terminal output (stdin) onto a screen and prints the lines that remain: what a user
// sees after a command that redraws lines (\r, ESC[nA cursor up, ESC[2K / ESC[K erase line,
// ESC[J erase below). Enough for progress bars; other escape sequences are dropped.
import { readFileSync } from 'node:fs';

const input = readFileSync(0, 'latin1');
const lines = [''];
let row = 0;
let col = 0;
const put = (ch) => {
  const l = lines[row].padEnd(col, ' ');
  lines[row] = l.slice(0, col) + ch + l.slice(col + 1);
  col++;
};
for (let i = 0; i < input.length; i++) {
  const c = input[i];
  if (c === '\x1b' && input[i + 1] === '[') {
    const m = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(input.slice(i));
    if (!m) continue;
    i += m[0].length - 1;
    const n = m[1] === '' ? 1 : Number(m[1]);
    if (m[2] === 'A') row = Math.max(0, row - n);
    else if (m[2] === 'K') lines[row] = m[1] === '2' ? '' : lines[row].slice(0, col);
    else if (m[2] === 'J') { lines[row] = lines[row].slice(0, col); lines.length = row + 1; }
    continue;
  }
  if (c === '\r') col = 0;
  else if (c === '\n') {
    row++;
    col = 0;
    if (row === lines.length) lines.push('');
  } else put(c);
}
while (lines.length && lines[lines.length - 1] === '') lines.pop();
process.stdout.write(lines.map((l) => l.trimEnd()).join('\n') + '\n');
