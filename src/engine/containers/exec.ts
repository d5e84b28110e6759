// exec: a process in a running container, through conmon (like podman): the container's own
// process spec with the command, env, user, cwd and terminal replaced.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { stdout, stderr } from '../../util/stdio.js';
import { randomBytes } from '../../util/random.js';
import type { Engine } from '../index.js';
import { mustFindContainer } from './lookup.js';
import { ContainerPaths } from './paths.js';
import { currentState } from './lifecycle.js';
import { oci, conmonPath } from './runtime.js';
import { execConmon } from '../../runtime/conmon.js';
import { resolveUser } from '../../runtime/users.js';
import { processBoundingSet } from '../../runtime/caps.js';
import { mergeEnv, readEnvFile } from './create.js';
import { TsmanError } from '../../errors.js';

export interface ExecOptions {
  interactive: boolean;
  tty: boolean;
  detach: boolean;
  env: string[];
  envFile: string[];
  user?: string;
  workdir?: string;
  privileged: boolean;
  detachKeys?: string;
  out: (s: string) => void;
}

export async function execInContainer(engine: Engine, name: string, command: string[], o: ExecOptions): Promise<number> {
  const c = mustFindContainer(engine.store.read(), name);
  const st = await currentState(engine, c.id);
  if (st.status !== 'running') {
    throw new TsmanError('EGENERIC', `can only create exec sessions on running containers: container state improper`);
  }
  const p = new ContainerPaths(engine.store, c.id);
  const spec = JSON.parse(await fsp.readFile(path.join(p.bundle, 'config.json'), 'utf8')) as { process: Record<string, unknown>; root: { path: string } };
  const proc = { ...spec.process };
  const fileEnv: string[] = [];
  for (const f of o.envFile) fileEnv.push(...await readEnvFile(f));
  proc.args = command;
  proc.env = mergeEnv((proc.env as string[]) ?? [], fileEnv, o.env, o.tty ? ['TERM=xterm'] : []);
  proc.terminal = o.tty;
  if (o.workdir) proc.cwd = o.workdir;
  if (o.user) {
    const u = await resolveUser(spec.root.path, o.user, []);
    proc.user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids, umask: 18 };
  }
  if (o.privileged) {
    const all = processBoundingSet();
    proc.capabilities = { bounding: all, effective: all, permitted: all, inheritable: [], ambient: [] };
  }
  const sessionId = randomBytes(32).toString('hex');
  const bundle = path.join(p.userdata, 'exec', sessionId.slice(0, 16));
  await fsp.mkdir(bundle, { recursive: true });
  const rt = oci(engine);
  const res = await execConmon({
    id: c.id, name: c.name, runtimePath: rt.path, runtimeRoot: rt.root, conmonPath: conmonPath(engine), terminal: o.tty,
    sessionId, bundle, process: proc,
    attach: o.detach ? undefined : {
      stdin: o.interactive ? process.stdin : undefined, stdout: stdout(), stderr: stderr(), detachKeys: o.detachKeys,
    },
    keepBundle: false,
  });
  if (o.detach) {
    o.out(`${sessionId}\n`);
    return 0;
  }
  return res.exitCode ?? 0;
}
