// Whether the user ran this command outside the rootless namespace (bin/tsman or the re-exec then
// moved it in, marking it with _TSMAN_JOINED=1), as opposed to inside `tsman unshare`. Commands
// whose result only exists inside the namespace (`mount`, `image mount`, `volume mount`) refuse
// the first, as podman does. Read once, when main loads, and taken out of the environment so
// that nothing started from here (the shell of `tsman unshare`) inherits it.
import { TsmanError } from '../errors.js';

const joined = process.env._TSMAN_JOINED === '1';
delete process.env._TSMAN_JOINED;

export const JOINED_ENV = '_TSMAN_JOINED';

/** The caller is not root and not inside `tsman unshare`. */
export function calledOutsideNamespace(): boolean {
  return process.geteuid!() !== 0 || joined;
}

/** Refuse `command` (e.g. "image mount") unless called as root or inside `tsman unshare` (podman's words). */
export function requireUnshare(command: string): void {
  if (calledOutsideNamespace()) {
    throw new TsmanError('EUSAGE', `cannot run command "tsman ${command}" in rootless mode, must execute \`tsman unshare\` first`);
  }
}
