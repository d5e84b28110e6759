// crun: runc's command line (oci.ts) as it is, `crun start` included. crun has an exec fifo of its
// own, but not runc's protocol (its `start` writes to it, where runc's reads), so runc's start
// shortcut (runc.ts) does not apply. crun refuses hosts without the unified cgroup hierarchy;
// select.ts then picks runc instead.
import { OciCli } from './oci.js';

export class Crun extends OciCli {}
