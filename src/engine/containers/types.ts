import type { PortMapping } from '../../network/ports.js';
// Container records: immutable config in store.json (under storage.lock), volatile state in the
// run root (state.json per container), as podman keeps config apart from state.

/** A mount as recorded at create time (from -v, --mount, --tmpfs, --volumes-from, image VOLUMEs). */
export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs' | 'image' | 'devpts';
  /** bind: absolute host path; volume: volume name; image: image id; tmpfs/devpts: '' */
  source: string;
  destination: string;
  /** ro, rw, z, Z, U, O, nocopy, suid, nosuid, exec, noexec, dev, nodev, size=, mode=, ... */
  options: string[];
  /** volume created for this container only (image VOLUME or `-v /path`): `rm -v` removes it */
  anonymous?: boolean;
}

export interface ContainerConfig {
  mounts?: MountSpec[];
  command: string[];        // final argv: entrypoint + cmd
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workdir: string;
  /** --workdir was given (podman: it must exist; the image's WorkingDir is created when missing) */
  workdirExplicit?: boolean;
  user: string;             // as given (resolved against the rootfs at start)
  groupAdd: string[];
  hostname: string;
  ociRuntime?: string;      // the runtime as chosen at create (--runtime, containers.conf): inspect's OCIRuntime
  tty: boolean;
  interactive: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  noNewPrivileges: boolean;
  seccomp: string;          // 'default' | 'unconfined' | path
  readOnly: boolean;
  readOnlyTmpfs: boolean;
  tmpfs: Record<string, string>;
  ulimits: Array<{ name: string; soft: number; hard: number }>;
  /** none | host | private | slirp4netns | bridge | container:ID | ns:PATH */
  network: string;
  /** bridge mode: the networks joined, by name */
  networks?: Record<string, { aliases?: string[]; ip?: string; mac?: string }>;
  /** slirp4netns mode: its options (allow_host_loopback=true, ...) */
  slirpOptions?: string[];
  /** published ports, host ports assigned at create */
  ports?: PortMapping[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** --add-host name:ip */
  addHosts?: string[];
  noHosts?: boolean;
  /** the image's EXPOSEd ports (inspect's ExposedPorts) */
  exposedPorts?: string[];
  pid: string;
  ipc: string;
  uts: string;
  stopSignal: string;
  stopTimeout: number;
  init: boolean;
  logDriver: string;
  logPath?: string;
  logSizeMax?: number;
  logTag?: string;
  autoRemove: boolean;
  restartPolicy: string;
  restartRetries: number;
  /** --userns=keep-id (rootless): the user's own ids, kept inside a user namespace of the container's own */
  keepId?: { uid: number; gid: number; name: string; home: string };
  /** --userns=nomap: a user namespace of its own without the user's id (src/userns/keepid.ts) */
  nomap?: boolean;
  /** --rootfs: the directory the container runs from (no image, nothing mounted) */
  rootfs?: string;
  /** --tz (podman: the zone file is bind-mounted on /etc/localtime) */
  timezone?: string;
  /** containers.conf shm_size, bytes (/dev/shm's size; unset: 64 MiB) */
  shmSize?: number;
  /** containers.conf umask (unset: 0022) */
  umask?: string;
  /** containers.conf cgroupns (unset: private on cgroup v2, host otherwise) */
  cgroupns?: 'private' | 'host';
  /** containers.conf pids_limit, root only (unset: 2048; 0 = none) */
  pidsLimit?: number;
  /** --init's binary on the host (containers.conf init_path, helper_binaries_dir, $PATH) */
  initPath?: string;
}

export interface ContainerRecord {
  id: string;
  name: string;
  imageId: string;
  imageName: string;
  created: string;
  config: ContainerConfig;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'stopped' | 'exited' | 'removing';

export interface ContainerState {
  status: ContainerStatus;
  pid?: number;
  pidStartTime?: string;
  conmonPid?: number;
  conmonStartTime?: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  restartCount?: number;
  mounted?: boolean;
  oomKilled?: boolean;
  error?: string;
  /** set by stop/kill-by-user: restart policies must not bring the container back */
  stoppedByUser?: boolean;
  /** the runtime's state is deleted and the rootfs unmounted after the last exit */
  cleanedUp?: boolean;
}
