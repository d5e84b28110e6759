// seccomp for containers: tsman's default profile and podman-format profile files, converted to the
// runtime-spec `linux.seccomp` object the way containers/common's pkg/seccomp setupSeccomp does at
// spec time (capability- and arch-conditional rules resolved against the container's bounding set
// and this machine's architecture).
//
// Where DEFAULT_PROFILE comes from: containers/common v0.50.1 `pkg/seccomp/seccomp.json` (the file
// podman 4.3.1 uses: Debian's golang-github-containers-common 0.50.1+ds1-4 installs it as
// /usr/share/containers/seccomp.json, md5 2e3fa27d576a025fb08cb25f5313ca80). It is an allowlist with
// defaultAction SCMP_ACT_ERRNO and defaultErrnoRet 38 (ENOSYS, so that syscalls newer than the list
// fail the way an old kernel's would and libc falls back), a short EPERM denylist, and groups gated
// on capabilities. Unlike docker's profile, containers/common allows mount/umount2/unshare/setns/clone
// (any flags) for every container; only bpf/fanotify_init/lookup_dcookie/perf_event_open/quotactl/
// sethostname/setdomainname are gated on CAP_SYS_ADMIN, and socket(AF_NETLINK, NETLINK_AUDIT) on
// CAP_AUDIT_WRITE (EINVAL without it).
// How to update: take the new seccomp.json (or pkg/seccomp/default_linux.go's output from
// `go generate`) and regenerate the DEFAULT_PROFILE literal below from it, one entry per JSON syscall
// block, keeping their order (the runtime adds the rules in this order); drop empty args/includes/
// excludes and the `comment`/`errno` string fields (only errnoRet is used). Then check with
// `podman create` + the config.json it writes that `defaultSeccompProfile(bounding)` gives the same
// `linux.seccomp` (test/unit/spec.test.ts compares against a stored podman 4.3 output).

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { TsmanError } from '../errors.js';

export interface SeccompArg { index: number; value: number; valueTwo?: number; op: string }
interface Filter { caps?: string[]; arches?: string[]; minKernel?: string }
/** One syscall block of a docker/podman-format profile. */
export interface ProfileSyscall {
  name?: string;
  names?: string[];
  action?: string;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  includes?: Filter;
  excludes?: Filter;
  comment?: string;
}
/** A docker/podman-format seccomp profile (what --security-opt seccomp=FILE reads). */
export interface SeccompProfile {
  defaultAction?: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: Array<{ architecture: string; subArchitectures?: string[] }>;
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: ProfileSyscall[];
}
/** runtime-spec linux.seccomp */
export interface LinuxSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: Array<{ names: string[]; action: string; errnoRet?: number; args?: SeccompArg[] }>;
}

const A = 'SCMP_ACT_ALLOW';

export const DEFAULT_PROFILE: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [
    // Deliberately without containers/common's SCMP_ARCH_X32: the x32 ABI (64-bit registers, 32-bit
    // pointers) has no images to speak of, and every architecture in the list is a copy of every
    // rule that the runtime compiles at each container start (~7 ms of runc's ~45 ms create on the
    // test machines). Without it libseccomp's x86_64 filter sends x32 system calls (nr with bit
    // 30 set) to the bad-architecture action: the process is killed instead of filtered.
    // i386 (SCMP_ARCH_X86) stays: 32-bit images run.
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    { architecture: 'SCMP_ARCH_MIPS64', subArchitectures: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64N32'] },
    { architecture: 'SCMP_ARCH_MIPS64N32', subArchitectures: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64'] },
    { architecture: 'SCMP_ARCH_MIPSEL64', subArchitectures: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64N32'] },
    { architecture: 'SCMP_ARCH_MIPSEL64N32', subArchitectures: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64'] },
    { architecture: 'SCMP_ARCH_S390X', subArchitectures: ['SCMP_ARCH_S390'] },
  ],
  syscalls: [
    {
      names: [
        'bdflush', 'io_pgetevents', 'kexec_file_load', 'kexec_load', 'migrate_pages', 'move_pages',
        'nfsservctl', 'nice', 'oldfstat', 'oldlstat', 'oldolduname', 'oldstat', 'olduname',
        'pciconfig_iobase', 'pciconfig_read', 'pciconfig_write', 'sgetmask', 'ssetmask',
        'swapcontext', 'swapoff', 'swapon', 'sysfs', 'uselib', 'userfaultfd', 'ustat', 'vm86',
        'vm86old', 'vmsplice'
      ],
      action: 'SCMP_ACT_ERRNO', errnoRet: 1,
    },
    {
      names: [
        '_llseek', '_newselect', 'accept', 'accept4', 'access', 'adjtimex', 'alarm', 'bind', 'brk',
        'capget', 'capset', 'chdir', 'chmod', 'chown', 'chown32', 'clock_adjtime',
        'clock_adjtime64', 'clock_getres', 'clock_getres_time64', 'clock_gettime',
        'clock_gettime64', 'clock_nanosleep', 'clock_nanosleep_time64', 'clone', 'clone3', 'close',
        'close_range', 'connect', 'copy_file_range', 'creat', 'dup', 'dup2', 'dup3', 'epoll_create',
        'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_pwait', 'epoll_pwait2', 'epoll_wait',
        'epoll_wait_old', 'eventfd', 'eventfd2', 'execve', 'execveat', 'exit', 'exit_group',
        'faccessat', 'faccessat2', 'fadvise64', 'fadvise64_64', 'fallocate', 'fanotify_mark',
        'fchdir', 'fchmod', 'fchmodat', 'fchown', 'fchown32', 'fchownat', 'fcntl', 'fcntl64',
        'fdatasync', 'fgetxattr', 'flistxattr', 'flock', 'fork', 'fremovexattr', 'fsconfig',
        'fsetxattr', 'fsmount', 'fsopen', 'fspick', 'fstat', 'fstat64', 'fstatat64', 'fstatfs',
        'fstatfs64', 'fsync', 'ftruncate', 'ftruncate64', 'futex', 'futex_time64', 'futimesat',
        'get_mempolicy', 'get_robust_list', 'get_thread_area', 'getcpu', 'getcwd', 'getdents',
        'getdents64', 'getegid', 'getegid32', 'geteuid', 'geteuid32', 'getgid', 'getgid32',
        'getgroups', 'getgroups32', 'getitimer', 'getpeername', 'getpgid', 'getpgrp', 'getpid',
        'getppid', 'getpriority', 'getrandom', 'getresgid', 'getresgid32', 'getresuid',
        'getresuid32', 'getrlimit', 'getrusage', 'getsid', 'getsockname', 'getsockopt', 'gettid',
        'gettimeofday', 'getuid', 'getuid32', 'getxattr', 'inotify_add_watch', 'inotify_init',
        'inotify_init1', 'inotify_rm_watch', 'io_cancel', 'io_destroy', 'io_getevents', 'io_setup',
        'io_submit', 'ioctl', 'ioprio_get', 'ioprio_set', 'ipc', 'keyctl', 'kill',
        'landlock_add_rule', 'landlock_create_ruleset', 'landlock_restrict_self', 'lchown',
        'lchown32', 'lgetxattr', 'link', 'linkat', 'listen', 'listxattr', 'llistxattr',
        'lremovexattr', 'lseek', 'lsetxattr', 'lstat', 'lstat64', 'madvise', 'mbind', 'membarrier',
        'memfd_create', 'memfd_secret', 'mincore', 'mkdir', 'mkdirat', 'mknod', 'mknodat', 'mlock',
        'mlock2', 'mlockall', 'mmap', 'mmap2', 'mount', 'mount_setattr', 'move_mount', 'mprotect',
        'mq_getsetattr', 'mq_notify', 'mq_open', 'mq_timedreceive', 'mq_timedreceive_time64',
        'mq_timedsend', 'mq_timedsend_time64', 'mq_unlink', 'mremap', 'msgctl', 'msgget', 'msgrcv',
        'msgsnd', 'msync', 'munlock', 'munlockall', 'munmap', 'name_to_handle_at', 'nanosleep',
        'newfstatat', 'open', 'open_tree', 'openat', 'openat2', 'pause', 'pidfd_getfd',
        'pidfd_open', 'pidfd_send_signal', 'pipe', 'pipe2', 'pivot_root', 'pkey_alloc', 'pkey_free',
        'pkey_mprotect', 'poll', 'ppoll', 'ppoll_time64', 'prctl', 'pread64', 'preadv', 'preadv2',
        'prlimit64', 'process_mrelease', 'process_vm_readv', 'process_vm_writev', 'pselect6',
        'pselect6_time64', 'ptrace', 'pwrite64', 'pwritev', 'pwritev2', 'read', 'readahead',
        'readdir', 'readlink', 'readlinkat', 'readv', 'reboot', 'recv', 'recvfrom', 'recvmmsg',
        'recvmmsg_time64', 'recvmsg', 'remap_file_pages', 'removexattr', 'rename', 'renameat',
        'renameat2', 'restart_syscall', 'rmdir', 'rseq', 'rt_sigaction', 'rt_sigpending',
        'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn', 'rt_sigsuspend', 'rt_sigtimedwait',
        'rt_sigtimedwait_time64', 'rt_tgsigqueueinfo', 'sched_get_priority_max',
        'sched_get_priority_min', 'sched_getaffinity', 'sched_getattr', 'sched_getparam',
        'sched_getscheduler', 'sched_rr_get_interval', 'sched_rr_get_interval_time64',
        'sched_setaffinity', 'sched_setattr', 'sched_setparam', 'sched_setscheduler', 'sched_yield',
        'seccomp', 'select', 'semctl', 'semget', 'semop', 'semtimedop', 'semtimedop_time64', 'send',
        'sendfile', 'sendfile64', 'sendmmsg', 'sendmsg', 'sendto', 'set_mempolicy',
        'set_robust_list', 'set_thread_area', 'set_tid_address', 'setfsgid', 'setfsgid32',
        'setfsuid', 'setfsuid32', 'setgid', 'setgid32', 'setgroups', 'setgroups32', 'setitimer',
        'setns', 'setpgid', 'setpriority', 'setregid', 'setregid32', 'setresgid', 'setresgid32',
        'setresuid', 'setresuid32', 'setreuid', 'setreuid32', 'setrlimit', 'setsid', 'setsockopt',
        'setuid', 'setuid32', 'setxattr', 'shmat', 'shmctl', 'shmdt', 'shmget', 'shutdown',
        'sigaction', 'sigaltstack', 'signal', 'signalfd', 'signalfd4', 'sigpending', 'sigprocmask',
        'sigreturn', 'sigsuspend', 'socketcall', 'socketpair', 'splice', 'stat', 'stat64', 'statfs',
        'statfs64', 'statx', 'symlink', 'symlinkat', 'sync', 'sync_file_range', 'syncfs', 'syscall',
        'sysinfo', 'syslog', 'tee', 'tgkill', 'time', 'timer_create', 'timer_delete',
        'timer_getoverrun', 'timer_gettime', 'timer_gettime64', 'timer_settime', 'timer_settime64',
        'timerfd', 'timerfd_create', 'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime',
        'timerfd_settime64', 'times', 'tkill', 'truncate', 'truncate64', 'ugetrlimit', 'umask',
        'umount', 'umount2', 'uname', 'unlink', 'unlinkat', 'unshare', 'utime', 'utimensat',
        'utimensat_time64', 'utimes', 'vfork', 'wait4', 'waitid', 'waitpid', 'write', 'writev'
      ],
      action: A,
    },
    { names: ['personality'], action: A, args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['personality'], action: A, args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
    { names: ['personality'], action: A, args: [{ index: 0, value: 131072, op: 'SCMP_CMP_EQ' }] },
    { names: ['personality'], action: A, args: [{ index: 0, value: 131080, op: 'SCMP_CMP_EQ' }] },
    { names: ['personality'], action: A, args: [{ index: 0, value: 4294967295, op: 'SCMP_CMP_EQ' }] },
    { names: ['sync_file_range2'], action: A, includes: { arches: ['ppc64le'] } },
    {
      names: ['arm_fadvise64_64', 'arm_sync_file_range', 'breakpoint', 'cacheflush', 'set_tls', 'sync_file_range2'],
      action: A, includes: { arches: ['arm', 'arm64'] },
    },
    { names: ['arch_prctl'], action: A, includes: { arches: ['amd64', 'x32'] } },
    { names: ['modify_ldt'], action: A, includes: { arches: ['amd64', 'x32', 'x86'] } },
    {
      names: ['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr'],
      action: A, includes: { arches: ['s390', 's390x'] },
    },
    { names: ['open_by_handle_at'], action: A, includes: { caps: ['CAP_DAC_READ_SEARCH'] } },
    {
      names: ['open_by_handle_at'],
      action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_DAC_READ_SEARCH'] },
    },
    {
      names: [
        'bpf', 'fanotify_init', 'lookup_dcookie', 'perf_event_open', 'quotactl', 'setdomainname',
        'sethostname', 'setns'
      ],
      action: A, includes: { caps: ['CAP_SYS_ADMIN'] },
    },
    {
      names: [
        'bpf', 'fanotify_init', 'lookup_dcookie', 'perf_event_open', 'quotactl', 'setdomainname',
        'sethostname', 'setns'
      ],
      action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_ADMIN'] },
    },
    { names: ['chroot'], action: A, includes: { caps: ['CAP_SYS_CHROOT'] } },
    {
      names: ['chroot'],
      action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_CHROOT'] },
    },
    {
      names: ['delete_module', 'finit_module', 'init_module', 'query_module'],
      action: A, includes: { caps: ['CAP_SYS_MODULE'] },
    },
    {
      names: ['delete_module', 'finit_module', 'init_module', 'query_module'],
      action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_MODULE'] },
    },
    { names: ['acct'], action: A, includes: { caps: ['CAP_SYS_PACCT'] } },
    { names: ['acct'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_PACCT'] } },
    { names: ['kcmp', 'process_madvise'], action: A, includes: { caps: ['CAP_SYS_PTRACE'] } },
    {
      names: ['kcmp', 'process_madvise'],
      action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_PTRACE'] },
    },
    { names: ['ioperm', 'iopl'], action: A, includes: { caps: ['CAP_SYS_RAWIO'] } },
    {
      names: ['ioperm', 'iopl'],
      action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_RAWIO'] },
    },
    {
      names: ['clock_settime', 'clock_settime64', 'settimeofday', 'stime'],
      action: A, includes: { caps: ['CAP_SYS_TIME'] },
    },
    {
      names: ['clock_settime', 'clock_settime64', 'settimeofday', 'stime'],
      action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_TIME'] },
    },
    { names: ['vhangup'], action: A, includes: { caps: ['CAP_SYS_TTY_CONFIG'] } },
    {
      names: ['vhangup'],
      action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_TTY_CONFIG'] },
    },
    {
      names: ['socket'],
      action: 'SCMP_ACT_ERRNO', errnoRet: 22,
      args: [{ index: 0, value: 16, op: 'SCMP_CMP_EQ' }, { index: 2, value: 9, op: 'SCMP_CMP_EQ' }],
      excludes: { caps: ['CAP_AUDIT_WRITE'] },
    },
    {
      names: ['socket'],
      action: A, args: [{ index: 2, value: 9, op: 'SCMP_CMP_NE' }],
      excludes: { caps: ['CAP_AUDIT_WRITE'] },
    },
    {
      names: ['socket'],
      action: A, args: [{ index: 0, value: 16, op: 'SCMP_CMP_NE' }],
      excludes: { caps: ['CAP_AUDIT_WRITE'] },
    },
    {
      names: ['socket'],
      action: A, args: [{ index: 2, value: 9, op: 'SCMP_CMP_NE' }],
      excludes: { caps: ['CAP_AUDIT_WRITE'] },
    },
    { names: ['socket'], action: A, includes: { caps: ['CAP_AUDIT_WRITE'] } },
  ],
};

/** Go's GOARCH for this machine, the names profiles use in includes/excludes.arches. */
export function goArch(arch: string = process.arch): string {
  switch (arch) {
    case 'x64': return 'amd64';
    case 'ia32': return '386';
    case 'arm64': return 'arm64';
    case 'arm': return 'arm';
    case 'ppc64': return os.endianness() === 'LE' ? 'ppc64le' : 'ppc64';
    case 's390x': return 's390x';
    case 'mips': return 'mips';
    case 'mipsel': return 'mipsle';
    case 'riscv64': return 'riscv64';
    default: return arch;
  }
}

// containers/common's nativeToSeccomp: which archMap entry is this machine's.
const NATIVE_TO_SECCOMP: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  arm64: 'SCMP_ARCH_AARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mipsel64n32: 'SCMP_ARCH_MIPSEL64N32',
  s390x: 'SCMP_ARCH_S390X',
};

function kernelAtLeast(min: string, release: string): boolean {
  const parse = (s: string): number[] => (/^(\d+)(?:\.(\d+))?/.exec(s) ?? ['', '0', '0']).slice(1).map((x) => Number(x ?? 0));
  const [a1, a2] = parse(release);
  const [b1, b2] = parse(min);
  return a1! > b1! || (a1 === b1 && a2! >= b2!);
}

export interface ConvertOptions {
  /** GOARCH-style name of the machine (default: this one) */
  arch?: string;
  /** uname -r (default: this kernel), for includes.minKernel */
  kernelRelease?: string;
}

/**
 * A docker/podman-format profile -> runtime-spec linux.seccomp, keeping only the blocks that apply
 * to `caps` (the container's bounding set, as podman checks) and this architecture and kernel.
 * Returns undefined for a profile with neither defaultAction nor syscalls (seccomp disabled).
 */
export function convertSeccompProfile(p: SeccompProfile, caps: readonly string[], o: ConvertOptions = {}): LinuxSeccomp | undefined {
  if (!p.defaultAction && (p.syscalls ?? []).length === 0) return undefined;
  const arch = o.arch ?? goArch();
  const release = o.kernelRelease ?? os.release();
  if ((p.architectures ?? []).length > 0 && (p.archMap ?? []).length > 0) {
    throw new TsmanError('EUSAGE', "'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const out: LinuxSeccomp = { defaultAction: p.defaultAction ?? '' };
  if (p.defaultErrnoRet !== undefined && p.defaultErrnoRet !== null) out.defaultErrnoRet = p.defaultErrnoRet;
  const arches: string[] = [...(p.architectures ?? [])];
  const native = NATIVE_TO_SECCOMP[arch];
  for (const m of p.archMap ?? []) {
    if (native !== undefined && m.architecture === native) {
      arches.push(m.architecture, ...(m.subArchitectures ?? []));
      break;
    }
  }
  if (arches.length > 0) out.architectures = arches;
  if (p.flags && p.flags.length > 0) out.flags = [...p.flags];
  if (p.listenerPath) out.listenerPath = p.listenerPath;
  if (p.listenerMetadata) out.listenerMetadata = p.listenerMetadata;
  const syscalls: NonNullable<LinuxSeccomp['syscalls']> = [];
  for (const call of p.syscalls ?? []) {
    const inc = call.includes ?? {};
    const exc = call.excludes ?? {};
    if ((exc.arches ?? []).includes(arch)) continue;
    if ((exc.caps ?? []).some((c) => caps.includes(c))) continue;
    if (exc.minKernel && kernelAtLeast(exc.minKernel, release)) continue;
    if ((inc.arches ?? []).length > 0 && !inc.arches!.includes(arch)) continue;
    if ((inc.caps ?? []).some((c) => !caps.includes(c))) continue;
    if (inc.minKernel && !kernelAtLeast(inc.minKernel, release)) continue;
    if (call.name && (call.names ?? []).length > 0) {
      throw new TsmanError('EUSAGE', "'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
    }
    const names = call.name ? [call.name] : [...(call.names ?? [])];
    if (names.length === 0) continue;
    const rule: NonNullable<LinuxSeccomp['syscalls']>[number] = { names, action: call.action ?? '' };
    if (call.errnoRet !== undefined && call.errnoRet !== null) rule.errnoRet = call.errnoRet;
    if (call.args && call.args.length > 0) {
      rule.args = call.args.map((a) => {
        const arg: SeccompArg = { index: a.index, value: a.value ?? 0, op: a.op };
        if (a.valueTwo) arg.valueTwo = a.valueTwo;
        return arg;
      });
    }
    syscalls.push(rule);
  }
  if (syscalls.length > 0) out.syscalls = syscalls;
  return out;
}

/** tsman's default linux.seccomp for a container whose bounding set is `caps`. */
export function defaultSeccompProfile(caps: readonly string[], o: ConvertOptions = {}): LinuxSeccomp {
  return convertSeccompProfile(DEFAULT_PROFILE, caps, o)!;
}

/** Read a profile file (--security-opt seccomp=FILE) and convert it like podman's LoadProfile. */
export function loadSeccompProfile(path: string, caps: readonly string[], o: ConvertOptions = {}): LinuxSeccomp | undefined {
  let body: string;
  try {
    body = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TsmanError('EUSAGE', `opening seccomp profile failed: open ${path}: ${e.code ?? e.message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new TsmanError('EUSAGE', `decoding seccomp profile failed: ${(err as Error).message}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TsmanError('EUSAGE', `decoding seccomp profile failed: ${path} is not a JSON object`);
  }
  return convertSeccompProfile(parsed as SeccompProfile, caps, o);
}
