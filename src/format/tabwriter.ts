// Go's text/tabwriter, as podman configures it for tables (containers/common pkg/report:
// tabwriter.NewWriter(w, 12, 2, 2, ' ', tabwriter.StripEscape)): a tab terminates a cell, a
// column's width is its widest cell plus padding (at least minwidth), and a column block ends at
// the first line that has no cell in that column. The last cell of a line is never padded.

export interface TabwriterOptions {
  minwidth?: number;
  padding?: number;
  padchar?: string;
}

export function tabwrite(text: string, opts: TabwriterOptions = {}): string {
  const minwidth = opts.minwidth ?? 12;
  const padding = opts.padding ?? 2;
  const padchar = opts.padchar ?? ' ';
  const rawLines = text.split('\n');
  const lines: string[][] = rawLines.map((l) => l.split('\t'));
  // The text after the last newline is an unterminated line: an empty trailing cell there was
  // never terminated, so it is not a cell at all.
  const last = lines[lines.length - 1]!;
  if (last[last.length - 1] === '') last.pop();
  const width = (cell: string): number => [...cell].length;
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i]!;
      line.forEach((cell, j) => {
        out.push(cell);
        if (j < widths.length) out.push(padchar.repeat(Math.max(0, widths[j]! - width(cell))));
      });
      if (i + 1 < lines.length) out.push('\n');
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t]!.length - 1) continue;
      // a cell exists in this column: this line starts a column block
      writeLines(line0, t);
      line0 = t;
      let w = minwidth;
      for (; t < line1; t++) {
        const line = lines[t]!;
        if (column >= line.length - 1) break;
        w = Math.max(w, width(line[column]!) + padding);
      }
      widths.push(w);
      format(line0, t);
      widths.pop();
      line0 = t;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('');
}
