// runc: the standard command line (oci.ts), and a start that does what `runc start` does without
// starting runc.
import { closeSync, constants as fsc, openSync, readSync, statSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { OciCli } from './oci.js';

export class Runc extends OciCli {
  /**
   * Start a created container. runc's `start` only opens the container's exec fifo (in its state
   * directory) for reading, reads the byte the waiting `runc init` writes, and removes the fifo
   * (runc reports a container without the fifo as running): done here, that saves starting the
   * runtime binary (~10 ms). `pid` (the container's init) is watched meanwhile; if it is gone,
   * or no pid is given, or the fifo is missing, `runc start` runs as usual and reports what is
   * wrong.
   */
  override async start(id: string, pid?: number): Promise<void> {
    if (pid && await this.openExecFifo(id, pid)) return;
    await super.start(id);
  }

  /** runc's private `<root>/<id>/exec.fifo`, read as `runc start` reads it; false: not done. */
  private async openExecFifo(id: string, pid: number): Promise<boolean> {
    const fifo = path.join(this.root, id, 'exec.fifo');
    let fd: number;
    try {
      if (!statSync(fifo).isFIFO()) return false;
      fd = openSync(fifo, fsc.O_RDONLY | fsc.O_NONBLOCK);
    } catch {
      return false;
    }
    const buf = Buffer.alloc(16);
    try {
      for (let i = 0; ; i++) {
        let n = 0;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
        }
        if (n > 0) break;
        // 0: the writer has not opened its end yet; EAGAIN: opened, not written yet
        if (i % 20 === 19) {
          try { process.kill(pid, 0); } catch { return false; }
        }
        if (i > 2000) return false;
        await new Promise((r) => setTimeout(r, 1));
      }
    } finally {
      closeSync(fd);
    }
    try { unlinkSync(fifo); } catch { /* runc start would fail the same way: nothing to undo */ }
    return true;
  }
}
