// The OCI runtime as the engine sees it: the `OciRuntime` interface (start, kill, delete, state,
// pause/resume of a container the runtime created through conmon, conmon.ts) and `OciCli`, the
// command line runc defined and crun and the others share, run directly and waited for. Each
// runtime has its file (runc.ts, crun.ts) for what is its own; select.ts picks one by name.
import { childProcess } from '../util/builtin.js';
import { existsSync } from 'node:fs';
import { constants as osc } from 'node:os';
import * as path from 'node:path';
import { TsmanError } from '../errors.js';

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

/** One OCI runtime binary with its state directory (`--root`). */
export interface OciRuntime {
  /** `runc`, `crun`, or the binary's base name for another runtime */
  readonly name: string;
  /** the binary (conmon runs it for create and exec) */
  readonly path: string;
  /** its --root: one directory per container it knows */
  readonly root: string;
  /** The runtime's state of a container, or undefined when the runtime does not know it. */
  state(id: string): Promise<OciState | undefined>;
  /** Whether the runtime still keeps state for the container (its directory under the root). */
  knows(id: string): boolean;
  /** Start a created container; `pid`, its init, lets a runtime watch it meanwhile. */
  start(id: string, pid?: number): Promise<void>;
  /** Send a signal (a number or a name: 9, "KILL", "SIGKILL") to the container's init, or to all its processes. */
  kill(id: string, signal?: number | string, all?: boolean): Promise<void>;
  delete(id: string, force?: boolean): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
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

/**
 * The runtime command line every OCI runtime tsman knows takes (runc's: `--root DIR state|start|
 * kill|delete|pause|resume ID`), each command a process of the runtime waited for. Used as is for
 * a runtime tsman has no file for (a path to another binary).
 */
export class OciCli implements OciRuntime {
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

  protected async must(op: string, id: string, args: string[]): Promise<RunResult> {
    const r = await this.run(args);
    if (r.code !== 0) {
      const msg = runtimeMessage(r.stderr) || `exit status ${r.code}`;
      throw new TsmanError('EGENERIC', `${this.name} ${op} ${id}: ${msg}`);
    }
    return r;
  }

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

  knows(id: string): boolean {
    return existsSync(path.join(this.root, id));
  }

  async start(id: string, _pid?: number): Promise<void> {
    await this.must('start', id, ['start', id]);
  }

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
