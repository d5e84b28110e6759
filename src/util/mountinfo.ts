// The mount table of this process's mount namespace.
import { readFileSync } from 'node:fs';

/** Whether `p` (an absolute path, as the kernel shows it) is a mount point in /proc/self/mountinfo. */
export function isMountPoint(p: string): boolean {
  const info = readFileSync('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((l) => l.split(' ')[4] === p.replace(/ /g, '\\040'));
}
