// The system tools tsman runs (nft, ip, sysctl, nsenter, unshare, slirp4netns...), found the way
// podman's network code finds them: not only through $PATH. A Debian login user's PATH has no
// /usr/sbin (/etc/profile gives it to root only), where nft, sysctl and iptables live, and `su -`,
// `sudo -iu`, cron and ssh all hand that PATH on. containers/common adds /usr/sbin to the PATH it
// gives netavark and the CNI plugins for exactly this reason (libnetwork/netavark/exec.go); tsman
// resolves each tool to an absolute path once (PATH first, so a user's own build still wins, then
// the standard directories) and runs that path, and children that run further tools get the same
// directories appended to their PATH (toolEnv).
import { accessSync, constants as fsc, statSync } from 'node:fs';
import * as path from 'node:path';
import { TsmanError } from '../errors.js';

/** Where distributions install system tools, searched after $PATH (sbin first: that is what PATH lacks). */
export const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Debian package (where it differs from the tool's name), for the hint of a missing tool. */
const PACKAGE: Record<string, string> = {
  nft: 'nftables', ip: 'iproute2', sysctl: 'procps', nsenter: 'util-linux', unshare: 'util-linux',
  iptables: 'iptables', slirp4netns: 'slirp4netns',
};

const found = new Map<string, string>();

function isExecutableFile(p: string): boolean {
  try {
    // no exception for a directory without it (each would cost a stack trace)
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st || !st.isFile()) return false;
    accessSync(p, fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The directories searched for a tool: $PATH's, then SYSTEM_DIRS not already in it. */
export function toolDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = (env.PATH ?? '').split(':').filter((d) => d.startsWith('/'));
  for (const d of SYSTEM_DIRS) if (!dirs.includes(d)) dirs.push(d);
  return dirs;
}

/** The absolute path of `name`, or undefined when it is nowhere (a name with a `/` is taken as is). */
export function findTool(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (name.includes('/')) return isExecutableFile(name) ? name : undefined;
  const hit = found.get(name);
  if (hit !== undefined) return hit;
  for (const d of toolDirs(env)) {
    const p = path.join(d, name);
    if (isExecutableFile(p)) {
      found.set(name, p);
      return p;
    }
  }
  return undefined;
}

/** findTool, or podman's "executable file not found" error naming where it looked. */
export function systemTool(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const p = findTool(name, env);
  if (p !== undefined) return p;
  const pkg = PACKAGE[name];
  throw new TsmanError('ECONFIG', `exec: "${name}": executable file not found in $PATH or ${SYSTEM_DIRS.join(':')}`, {
    hint: pkg ? `install ${pkg} (apt-get install ${pkg})` : undefined,
  });
}

/** The environment for a system tool's process: ours, with SYSTEM_DIRS appended to PATH. */
export function toolEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, PATH: toolDirs(env).join(':') };
}
