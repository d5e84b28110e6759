// Thin wrappers over the OCI runtime binary (runc; crun where the host allows). `create` and `exec`
// go through conmon (conmon.ts); everything here runs the runtime directly and waits for it.
import { builtin } from '../util/builtin.js';
// loaded when first used: child_process (and net, which it loads) cost ~1-2 ms of every start
const childProcess = () => builtin<typeof import('node:child_process')>('node:child_process');
import { closeSync, constants as fsc, openSync, readSync, statSync, unlinkSync } from 'node:fs';
import { constants as osc } from 'node:os';
import * as path from 'node:path';
import { TsmanError } from '../errors.js';
import { findTool } from '../util/systool.js';

/** The runtime's view of a container (`runc state`): the OCI state plus runc's extras. */
export interface OciState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
  bundle: string;
  rootfs?: string;
  created?: string;
  owner?: string;
  annotations?: Record<string, string>;
}

export interface RuntimeChoice {
  /** `runc` or `crun` (the base name of the binary) */
  name: string;
  path: string;
  /** why another runtime than the configured one was chosen (for a warning) */
  fallbackReason?: string;
}

/**
 * The runtime binary to use: the configured one (`runc`, `crun` or a path), except that crun is
 * replaced by runc on a host without the unified cgroup hierarchy (crun refuses hybrid and v1
 * layouts: "cgroups in hybrid mode not supported"), with the reason for a warning.
 */
export function findRuntime(name: string, opts: { unified: boolean }): RuntimeChoice {
  const base = path.basename(name);
  if (base === 'crun' && !opts.unified) {
    const runc = findTool('runc');
    if (runc) {
      return {
        name: 'runc', path: runc,
        fallbackReason: 'crun does not support this host\'s cgroup layout (cgroup v1 or hybrid, not the unified hierarchy): using runc',
      };
    }
  }
  const found = findTool(name);
  if (found) return { name: base, path: found };
  // podman's wording (libpod/runtime.go for a name, libpod/oci_conmon_common.go for a path)
  const message = name.includes('/') ? `no valid executable found for OCI runtime ${name}: invalid argument`
    : `default OCI runtime "${name}" not found: invalid argument`;
  throw new TsmanError('ECONFIG', message, {
    hint: `install ${base} or set [engine] runtime in containers.conf`,
  });
}

interface RunResult { code: number; stdout: string; stderr: string }

/** Runtime error text without logrus' decoration: `time="..." level=error msg="x"` gives `x`. */
export function runtimeMessage(stderr: string): string {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    if (t.startsWith('{')) {
      try {
        const j = JSON.parse(t) as { msg?: string };
        if (typeof j.msg === 'string') { out.push(j.msg); continue; }
      } catch { /* not JSON */ }
    }
    const m = /(?:^|\s)msg="((?:[^"\\]|\\.)*)"/.exec(t);
    if (m) {
      try { out.push(JSON.parse(`"${m[1]}"`) as string); } catch { out.push(m[1]!); }
      continue;
    }
    out.push(t);
  }
  return out.join('\n');
}

export class OciRuntime {
  readonly name: string;

  constructor(readonly path: string, readonly root: string, readonly env: NodeJS.ProcessEnv = process.env) {
    this.name = path.split('/').pop() ?? path;
  }

  /** Run `<runtime> --root <root> args...`, resolving with its output (never rejects on exit status). */
  run(args: string[], opts: { stdio?: 'inherit' } = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = childProcess().spawn(this.path, ['--root', this.root, ...args], {
        env: this.env,
        stdio: opts.stdio === 'inherit' ? ['ignore', 'inherit', 'pipe'] : ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.once('error', (err) => reject(new TsmanError('EGENERIC', `${this.name} ${args[0]}: ${err.message}`, { cause: err })));
      child.once('close', (code, signal) => resolve({ code: code ?? 128 + (signal ? osc.signals[signal] ?? 0 : 0), stdout, stderr }));
    });
  }

  private async must(op: string, id: string, args: string[]): Promise<RunResult> {
    const r = await this.run(args);
    if (r.code !== 0) {
      const msg = runtimeMessage(r.stderr) || `exit status ${r.code}`;
      throw new TsmanError('EGENERIC', `${this.name} ${op} ${id}: ${msg}`);
    }
    return r;
  }

  /** The runtime's state of a container, or undefined when the runtime does not know it. */
  async state(id: string): Promise<OciState | undefined> {
    const r = await this.run(['state', id]);
    if (r.code !== 0) {
      const msg = runtimeMessage(r.stderr);
      if (/does not exist|not found|no such file/i.test(msg)) return undefined;
      throw new TsmanError('EGENERIC', `${this.name} state ${id}: ${msg || `exit status ${r.code}`}`);
    }
    try {
      return JSON.parse(r.stdout) as OciState;
    } catch (err) {
      throw new TsmanError('EGENERIC', `${this.name} state ${id}: decoding the container state: ${(err as Error).message}`);
    }
  }

  /**
   * Start a created container. runc's `start` only opens the container's exec fifo (in its state
   * directory) for reading, reads the byte the waiting `runc init` writes, and removes the fifo
   * (runc reports a container without the fifo as running): done here, that saves starting the
   * runtime binary (~10 ms). `pid` (the container's init) is watched meanwhile; if it is gone,
   * or the runtime is not runc, or the fifo is missing, `<runtime> start` runs as usual and
   * reports what is wrong.
   */
  async start(id: string, pid?: number): Promise<void> {
    if (this.name === 'runc' && pid && await this.openExecFifo(id, pid)) return;
    await this.must('start', id, ['start', id]);
  }

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

  /** Send a signal (a number or a name: 9, "KILL", "SIGKILL") to the container's init, or to all its processes. */
  async kill(id: string, signal: number | string = 'SIGTERM', all = false): Promise<void> {
    const sig = typeof signal === 'number' ? String(signal) : signal.replace(/^SIG/i, '').toUpperCase();
    await this.must('kill', id, ['kill', ...(all ? ['--all'] : []), id, sig]);
  }

  async delete(id: string, force = false): Promise<void> {
    await this.must('delete', id, ['delete', ...(force ? ['--force'] : []), id]);
  }

  async pause(id: string): Promise<void> {
    await this.must('pause', id, ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.must('resume', id, ['resume', id]);
  }
}
