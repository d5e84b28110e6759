// Network namespaces that outlive the process that made them: a new namespace bind-mounted on a
// file (`unshare --net=FILE`), as `ip netns add` does, but anywhere (rootless: inside our user and
// mount namespace, so the namespace belongs to our user namespace). Helpers to run a command in one.
import { builtin } from '../util/builtin.js';
// loaded when first used: child_process (and net, which it loads) cost ~1-2 ms of every start
const childProcess = () => builtin<typeof import('node:child_process')>('node:child_process');
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { TsmanError } from '../errors.js';
import { umount2, mount, MNT_DETACH, MS_BIND } from '../util/libc.js';
import { systemTool, toolEnv } from '../util/systool.js';

export interface CmdResult { code: number; stdout: string; stderr: string }

/**
 * Run `cmd args` (inside the namespace at `ns` when given, through nsenter); never throws on a
 * non-zero exit. Tools are found by absolute path (util/systool.ts: a login user's PATH has no
 * /usr/sbin, where nft and sysctl live), and nsenter is handed that path, not the name.
 */
export function runIn(ns: string | undefined, cmd: string, args: string[], input?: string): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    let file: string;
    let argv: string[];
    try {
      const tool = systemTool(cmd);
      [file, argv] = ns ? [systemTool('nsenter'), [`--net=${ns}`, tool, ...args]] : [tool, args];
    } catch (err) {
      reject(err);
      return;
    }
    const p = childProcess().spawn(file, argv, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: toolEnv() });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.once('error', (e) => reject(new TsmanError('EGENERIC', `cannot run ${cmd}: ${e.message}`)));
    p.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (input !== undefined) {
      // a tool that exits before reading its input (it failed, or could not be executed) breaks
      // the pipe: its exit status and stderr tell what went wrong, the EPIPE adds nothing (and,
      // unheard, would end tsman with a stack trace)
      p.stdin!.on('error', () => undefined);
      p.stdin!.end(input);
    }
  });
}

/** As runIn, but a non-zero exit is an error naming what failed. */
export async function mustRunIn(ns: string | undefined, cmd: string, args: string[], input?: string): Promise<string> {
  const r = await runIn(ns, cmd, args, input);
  if (r.code !== 0) {
    throw new TsmanError('EGENERIC', `${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit status ${r.code}`}`);
  }
  return r.stdout;
}

/** `ip -batch -` (several commands, one process); with `force`, errors of single lines are ignored. */
export async function ipBatch(ns: string | undefined, lines: string[], force = false): Promise<void> {
  if (lines.length === 0) return;
  if (force) await runIn(ns, 'ip', ['-force', '-batch', '-'], lines.join('\n') + '\n');
  else await mustRunIn(ns, 'ip', ['-batch', '-'], lines.join('\n') + '\n');
}

export async function createNetns(file: string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fsp.writeFile(file, '', { mode: 0o600 });
  const r = await runIn(undefined, 'unshare', [`--net=${file}`, 'true']);
  if (r.code !== 0) {
    await fsp.rm(file, { force: true });
    throw new TsmanError('EGENERIC', `cannot create a network namespace: ${r.stderr.trim()}`);
  }
}

/** Keep a namespace someone else made (`/proc/PID/ns/net`) on `file`, as createNetns does. */
export async function bindNetns(source: string, file: string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fsp.writeFile(file, '', { mode: 0o600 });
  try {
    mount(source, file, null, MS_BIND, null);
  } catch (err) {
    await fsp.rm(file, { force: true });
    throw new TsmanError('EGENERIC', `cannot keep the network namespace ${source}: ${(err as Error).message}`);
  }
}

export async function removeNetns(file: string): Promise<void> {
  try { umount2(file, MNT_DETACH); } catch { /* not mounted */ }
  await fsp.rm(file, { force: true });
}
