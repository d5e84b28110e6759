// Which OCI runtime: the binary (findRuntime) and the implementation for it (openRuntime).
import * as path from 'node:path';
import { TsmanError } from '../errors.js';
import { findTool } from '../util/systool.js';
import { OciCli, type OciRuntime } from './oci.js';
import { Runc } from './runc.js';
import { Crun } from './crun.js';

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

/**
 * The implementation for a runtime, by its name (findRuntime's: the base name of the binary):
 * runc and crun have their own; any other binary gets the standard command line.
 */
export function openRuntime(rt: Pick<RuntimeChoice, 'name' | 'path'>, root: string, env: NodeJS.ProcessEnv = process.env): OciRuntime {
  switch (rt.name) {
    case 'runc': return new Runc(rt.path, root, env);
    case 'crun': return new Crun(rt.path, root, env);
    default: return new OciCli(rt.path, root, env);
  }
}
