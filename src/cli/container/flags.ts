// The create/run flags, declared once and shared by `create` and `run` (podman's
// cmd/podman/common/create.go does the same).
import { Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool, TriBool } from '../options.js';
import type { CreateOptions } from '../../engine/containers/create.js';
import type { Progress } from '../../image/progress.js';

export abstract class CreateFlagsCommand extends TsmanCommand {
  static override needsUserNamespace = true;

  name = Option.String('--name', { description: 'Assign a name to the container' });
  interactive = Bool('-i,--interactive', false, { description: 'Keep STDIN open even if not attached' });
  tty = Bool('-t,--tty', false, { description: 'Allocate a pseudo-TTY for the container' });
  env = Option.Array('-e,--env', [], { description: 'Set environment variables in the container' });
  envFile = Option.Array('--env-file', [], { description: 'Read in a file of environment variables' });
  envHost = Bool('--env-host', false, { description: 'Use all current host environment variables in the container' });
  workdir = Option.String('-w,--workdir', { description: 'Working directory inside the container' });
  user = Option.String('-u,--user', { description: 'Username or UID (format: <name|uid>[:<group|gid>])' });
  groupAdd = Option.Array('--group-add', [], { description: 'Add additional groups to the primary container process' });
  entrypoint = Option.String('--entrypoint', { description: 'Overwrite the default ENTRYPOINT of the image' });
  hostname = Option.String('-h,--hostname', { description: 'Set the container host name' });
  label = Option.Array('-l,--label', [], { description: 'Set metadata on the container' });
  annotation = Option.Array('--annotation', [], { description: 'Add annotations to the container' });
  capAdd = Option.Array('--cap-add', [], { description: 'Add capabilities to the container' });
  capDrop = Option.Array('--cap-drop', [], { description: 'Drop capabilities from the container' });
  privileged = Bool('--privileged', false, { description: 'Give extended privileges to the container' });
  securityOpt = Option.Array('--security-opt', [], { description: 'Security options' });
  readOnly = Bool('--read-only', false, { description: "Make the container's root filesystem read-only" });
  readOnlyTmpfs = Option.Boolean('--read-only-tmpfs', true, { description: 'When --read-only, mount tmpfs on /run, /tmp and /var/tmp' });
  tmpfs = Option.Array('--tmpfs', [], { description: 'Mount a temporary filesystem (tmpfs) into the container' });
  volume = Option.Array('-v,--volume', [], { description: 'Bind mount a volume into the container ([SOURCE:]DEST[:OPTIONS])' });
  mount = Option.Array('--mount', [], { description: 'Attach a filesystem mount (type=bind|volume|tmpfs|image|devpts,...)' });
  volumesFrom = Option.Array('--volumes-from', [], { description: 'Mount volumes from the specified container(s) (NAME[:ro|rw])' });
  ulimit = Option.Array('--ulimit', [], { description: 'Ulimit options' });
  network = Option.Array('--network,--net', [], { description: 'Connect the container to a network (none, host, slirp4netns[:OPTS], container:NAME, ns:PATH, NETWORK[,NETWORK2])' });
  publish = Option.Array('-p,--publish', [], { description: "Publish a container's port, or a range of ports, to the host ([ip:][hostPort:]containerPort[/proto])" });
  expose = Option.Array('--expose', [], { description: 'Expose a port or a range of ports (PORT[-PORT][/PROTO])' });
  publishAll = Bool('-P,--publish-all', false, { description: 'Publish all exposed ports to random ports on the host interfaces' });
  networkAlias = Option.Array('--network-alias', [], { description: 'Add a network-scoped alias for the container' });
  ip = Option.String('--ip', { description: 'Specify a static IPv4 address for the container' });
  macAddress = Option.String('--mac-address', { description: 'Container MAC address (e.g. 92:d0:c6:0a:29:33)' });
  dns = Option.Array('--dns', [], { description: 'Set custom DNS servers' });
  dnsSearch = Option.Array('--dns-search', [], { description: 'Set custom DNS search domains' });
  dnsOption = Option.Array('--dns-option,--dns-opt', [], { description: 'Set custom DNS options' });
  addHost = Option.Array('--add-host', [], { description: 'Add a custom host-to-IP mapping (host:ip)' });
  noHosts = Bool('--no-hosts', false, { description: 'Do not create /etc/hosts within the container, instead use the version from the image' });
  pid = Option.String('--pid', { description: 'PID namespace to use' });
  ipc = Option.String('--ipc', { description: 'IPC namespace to use' });
  uts = Option.String('--uts', { description: 'UTS namespace to use' });
  stopSignal = Option.String('--stop-signal', { description: 'Signal to stop a container. Default is SIGTERM' });
  stopTimeout = Option.String('--stop-timeout', { description: 'Timeout (in seconds) to stop a container' });
  init = Bool('--init', false, { description: 'Run an init binary inside the container that forwards signals and reaps processes' });
  logDriver = Option.String('--log-driver', { description: 'Logging driver for the container (k8s-file, none, passthrough)' });
  logOpt = Option.Array('--log-opt', [], { description: 'Logging driver options' });
  rm = Bool('--rm', false, { description: 'Remove container (and pod if created) after exit' });
  restart = Option.String('--restart', { description: 'Restart policy to apply when a container exits (no, on-failure[:N], always, unless-stopped)' });
  pull = Option.String('--pull', { description: 'Pull image policy (always, missing, never, newer; default: containers.conf pull_policy, missing)' });
  replace = Bool('--replace', false, { description: 'If a container with the same name exists, replace it' });
  cidfile = Option.String('--cidfile', { description: 'Write the container ID to the file' });
  tlsVerify = TriBool('--tls-verify', { description: 'Require HTTPS and verify certificates when pulling' });
  quiet = Bool('-q,--quiet', false, { description: 'Suppress output information when pulling images' });
  rootfs = Bool('--rootfs', false, { description: 'The first argument is not an image but the rootfs to the exploded container' });
  tz = Option.String('--tz', { description: 'Set timezone in container' });
  userns = Option.String('--userns', { description: 'User namespace to use: host (default), keep-id or nomap (rootless)' });

  image = Option.String({ required: true });
  args = Option.Proxy();

  createOptions(progress: Progress): CreateOptions {
    const env = [...this.env];
    const pull = this.pull === undefined ? '' : this.pull === 'true' ? 'always' : this.pull === 'false' ? 'never' : this.pull;
    return {
      image: this.image, args: this.args, name: this.name, entrypoint: this.entrypoint, env, envFile: this.envFile,
      envHost: this.envHost, workdir: this.workdir, user: this.user, groupAdd: this.groupAdd, hostname: this.hostname,
      tty: this.tty, interactive: this.interactive, labels: this.label, annotations: this.annotation,
      capAdd: this.capAdd, capDrop: this.capDrop, privileged: this.privileged, securityOpt: this.securityOpt,
      readOnly: this.readOnly, readOnlyTmpfs: this.readOnlyTmpfs, tmpfs: this.tmpfs,
      volumes: this.volume, mounts: this.mount, volumesFrom: this.volumesFrom, ulimits: this.ulimit,
      network: this.network.length ? this.network.join(',') : undefined, publish: this.publish, publishAll: this.publishAll, expose: this.expose,
      networkAlias: this.networkAlias, ip: this.ip, mac: this.macAddress, dns: this.dns, dnsSearch: this.dnsSearch,
      dnsOption: this.dnsOption, addHost: this.addHost, noHosts: this.noHosts, pid: this.pid, ipc: this.ipc, uts: this.uts, stopSignal: this.stopSignal,
      stopTimeout: this.stopTimeout === undefined ? undefined : Number(this.stopTimeout), init: this.init,
      logDriver: this.logDriver, logOpts: this.logOpt, userns: this.userns, rootfs: this.rootfs, tz: this.tz, rm: this.rm, restart: this.restart, pull, replace: this.replace,
      tlsVerify: this.tlsVerify, quiet: this.quiet, progress, warn: (m) => this.warn(m),
    };
  }
}
