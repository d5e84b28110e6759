// Pull progress, shaped like containers/image's: line-per-blob text when stderr is not a
// terminal, live bars when it is, nothing with -q.

export interface Progress {
  message(text: string): void;
  start(kind: 'blob' | 'config', digest: string, size?: number): void;
  update(digest: string, bytes: number): void;
  skip(kind: 'blob' | 'config', digest: string): void;
  done(digest: string): void;
  finish(): void;
}

export class QuietProgress implements Progress {
  message(): void {}
  start(): void {}
  update(): void {}
  skip(): void {}
  done(): void {}
  finish(): void {}
}

const short = (d: string): string => d.replace(/^sha256:/, '').slice(0, 12);

/** Non-terminal output: one line when a copy starts, like podman piped to a file. */
export class TextProgress implements Progress {
  private seen = new Set<string>();
  constructor(private readonly out: NodeJS.WritableStream) {}
  message(text: string): void { this.out.write(`${text}\n`); }
  start(kind: 'blob' | 'config', digest: string): void {
    if (this.seen.has(digest)) return;
    this.seen.add(digest);
    this.out.write(`Copying ${kind} ${digest}\n`);
  }
  update(): void {}
  skip(kind: 'blob' | 'config', digest: string): void {
    if (this.seen.has(digest)) return;
    this.seen.add(digest);
    this.out.write(`Copying ${kind} ${short(digest)} skipped: already exists\n`);
  }
  done(): void {}
  finish(): void {}
}

function human(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i === 0 ? 0 : 1)}${units[i]}`;
}

/**
 * Terminal output: one redrawn line per blob with bytes done, at most 10 redraws a second. The
 * lines being redrawn are the block of rows since the last message: a message (`Writing
 * manifest ...`) is printed below the block's final state and the block is left alone from then
 * on, as podman's bars stay where they finished (redrawing it again below the message printed
 * every blob two more times).
 */
export class TtyProgress implements Progress {
  private rows: Array<{ kind: string; digest: string; size?: number; bytes: number; state: 'copying' | 'done' | 'skipped' }> = [];
  /** digests already shown, live or left behind above a message: each gets one line */
  private seen = new Set<string>();
  private drawn = 0;
  private dirty = false;
  private timer?: NodeJS.Timeout;
  constructor(private readonly out: NodeJS.WriteStream) {}
  message(text: string): void {
    this.flush();
    this.rows = [];
    this.drawn = 0;
    this.out.write(`${text}\n`);
  }
  private row(digest: string) { return this.rows.find((r) => r.digest === digest); }
  start(kind: 'blob' | 'config', digest: string, size?: number): void {
    if (this.seen.has(digest)) return;
    this.seen.add(digest);
    this.rows.push({ kind, digest, size, bytes: 0, state: 'copying' });
    this.schedule();
  }
  update(digest: string, bytes: number): void {
    const r = this.row(digest);
    if (r) { r.bytes = bytes; this.schedule(); }
  }
  skip(kind: 'blob' | 'config', digest: string): void {
    if (this.seen.has(digest)) return;
    this.seen.add(digest);
    this.rows.push({ kind, digest, bytes: 0, state: 'skipped' });
    this.schedule();
  }
  done(digest: string): void {
    const r = this.row(digest);
    if (r) { r.state = 'done'; if (r.size) r.bytes = r.size; this.schedule(); }
  }
  private schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.redraw(); }, 100);
  }
  /** Draw what changed since the last redraw, now (nothing when nothing did). */
  private flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.dirty) this.redraw();
  }
  private redraw(): void {
    this.dirty = false;
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A`);
    const width = this.out.columns || 80;
    for (const r of this.rows) {
      let line = `Copying ${r.kind} ${short(r.digest)} `;
      if (r.state === 'skipped') line += 'skipped: already exists';
      else if (r.state === 'done') line += 'done';
      else if (r.size) {
        const frac = Math.min(1, r.bytes / r.size);
        const barW = Math.max(10, Math.min(40, width - line.length - 30));
        const fill = Math.round(frac * barW);
        line += `[${'='.repeat(Math.max(0, fill - 1))}${fill > 0 ? '>' : ''}${'-'.repeat(barW - fill)}] ${human(r.bytes)} / ${human(r.size)}`;
      } else line += human(r.bytes);
      this.out.write(`\x1b[2K${line.slice(0, width - 1)}\n`);
    }
    this.drawn = this.rows.length;
  }
  finish(): void {
    this.flush();
  }
}

export function makeProgress(quiet: boolean, stream?: NodeJS.WriteStream): Progress {
  if (quiet) return new QuietProgress();
  // made at the first report: a `run` of a pulled image reports nothing, and never needs to
  // create process.stderr (and the stream modules behind it) to ask whether it is a terminal
  let real: Progress | undefined;
  const get = (): Progress => {
    const out = stream ?? process.stderr;
    return (real ??= out.isTTY ? new TtyProgress(out) : new TextProgress(out));
  };
  return {
    message: (text) => get().message(text),
    start: (kind, digest, size) => get().start(kind, digest, size),
    update: (digest, bytes) => get().update(digest, bytes),
    skip: (kind, digest) => get().skip(kind, digest),
    done: (digest) => get().done(digest),
    finish: () => { if (real) real.finish(); },
  };
}
