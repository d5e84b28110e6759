// create: resolve the image (pulling per --pull), merge its config with the flags
// (image config < containers.conf < flags, as podman), record the container under the store
// lock, then build its writable layer.
import { randomBytes } from '../../util/random.js';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../index.js';
import type { ImageConfig } from '../../image/mediatypes.js';
import { TsmanError } from '../../errors.js';
import { findImage } from '../lookup.js';
import { mkdirp, mkdirSpread } from '../../util/fsutil.js';
import type { ContainerConfig, ContainerRecord } from './types.js';
import { ContainerPaths } from './paths.js';
import { writeState } from './state.js';
import { runtimeName } from './runtime.js';
import { randomName, NAME_RE } from './names.js';
import type { Progress } from '../../image/progress.js';
import type { NetworkFlags } from '../../network/options.js';
import { withContainersConf, proxyEnv } from './confdefaults.js';

/** The run/create flags (the network ones are NetworkFlags, src/network/options.ts). */
export interface CreateOptions extends NetworkFlags {
  image: string;
  args: string[];
  name?: string;
  entrypoint?: string;
  env: string[];
  envFile: string[];
  envHost: boolean;
  workdir?: string;
  user?: string;
  groupAdd: string[];
  hostname?: string;
  tty: boolean;
  interactive: boolean;
  labels: string[];
  annotations: string[];
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  securityOpt: string[];
  readOnly: boolean;
  readOnlyTmpfs: boolean;
  tmpfs: string[];
  volumes?: string[];
  mounts?: string[];
  volumesFrom?: string[];
  ulimits: string[];
  expose?: string[];
  /** --rootfs: `image` is a directory to run from */
  rootfs?: boolean;
  pid?: string;
  ipc?: string;
  uts?: string;
  stopSignal?: string;
  stopTimeout?: number;
  init: boolean;
  logDriver?: string;
  logOpts?: string[];
  userns?: string;
  /** --tz: a zone under /usr/share/zoneinfo, or local (the host's /etc/localtime) */
  tz?: string;
  rm: boolean;
  restart?: string;
  /** always, missing, never, newer; '' = containers.conf's pull_policy */
  pull: string;
  replace: boolean;
  tlsVerify?: boolean;
  quiet: boolean;
  progress: Progress;
  warn: (m: string) => void;
}

function kv(list: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list) {
    const i = l.indexOf('=');
    if (i === 0) throw new TsmanError('EUSAGE', `invalid ${what} "${l}"`);
    if (i < 0) out[l] = ''; else out[l.slice(0, i)] = l.slice(i + 1);
  }
  return out;
}

export async function readEnvFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw new TsmanError('EUSAGE', `open ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** Merge env lists: later entries win by key; `KEY` alone takes the value from tsman's env. */
export function mergeEnv(...lists: string[][]): string[] {
  const m = new Map<string, string>();
  for (const list of lists) for (const e of list) {
    const i = e.indexOf('=');
    if (i < 0) { const v = process.env[e]; if (v !== undefined) m.set(e, v); continue; }
    const k = e.slice(0, i);
    if (k.endsWith('*') && i < 0) continue;
    m.set(k, e.slice(i + 1));
  }
  return [...m].map(([k, v]) => `${k}=${v}`);
}

function parseUlimit(s: string): { name: string; soft: number; hard: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(s);
  if (!m) throw new TsmanError('EUSAGE', `invalid ulimit "${s}": expected name=soft[:hard]`);
  const soft = Number(m[2]);
  return { name: m[1]!, soft, hard: m[3] !== undefined ? Number(m[3]) : soft };
}

export function parseRestart(s: string | undefined): { policy: string; retries: number } {
  if (!s || s === 'no') return { policy: 'no', retries: 0 };
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(s);
  if (!m || (m[2] !== undefined && m[1] !== 'on-failure')) {
    throw new TsmanError('EUSAGE', `invalid restart policy "${s}": must be one of no, on-failure[:max_retries], always, unless-stopped`);
  }
  return { policy: m[1]!, retries: m[2] ? Number(m[2]) : 0 };
}

export async function createContainer(engine: Engine, flags: CreateOptions): Promise<ContainerRecord> {
  // containers.conf's [containers] keys are the flags' defaults (confdefaults.ts)
  const { opts: o, confOnly } = withContainersConf(engine, flags);
  if (o.name !== undefined && !NAME_RE.test(o.name)) {
    throw new TsmanError('EUSAGE', `container name "${o.name}" must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument`);
  }
  if (o.rm && o.restart && o.restart !== 'no') {
    throw new TsmanError('EUSAGE', 'the --rm option conflicts with --restart, when the restartPolicy is not "" and "no"');
  }
  const restart = parseRestart(o.restart);
  // image: per --pull
  // --rootfs: the "image" is a directory used as the container's root as it is
  let rootfsDir: string | undefined;
  if (o.rootfs) {
    rootfsDir = path.resolve(o.image.replace(/:O$/, ''));
    const st = await fsp.stat(rootfsDir).catch(() => undefined);
    if (!st?.isDirectory()) throw new TsmanError('EUSAGE', `stat ${rootfsDir}: ${st ? 'not a directory' : 'no such file or directory'}`);
    if (o.userns === 'keep-id') throw new TsmanError('EUSAGE', '--userns=keep-id cannot be used with --rootfs');
  }
  let img = rootfsDir ? undefined : findImage(engine.store.read(), o.image);
  if (!rootfsDir && (o.pull === 'always' || o.pull === 'newer' || (!img && o.pull !== 'never'))) {
    img = await engine.pull(o.image, { tlsVerify: o.tlsVerify, progress: o.progress, warn: o.warn });
  }
  if (!img && !rootfsDir) throw new TsmanError('ENOIMAGE', `${o.image}: image not known`);
  const ic = img ? (await engine.store.readConfig<ImageConfig>(img.id)).config ?? {} : {};

  const entrypoint = o.entrypoint !== undefined ? (o.entrypoint === '' ? [] : parseEntrypoint(o.entrypoint)) : (ic.Entrypoint ?? []);
  const cmd = o.args.length > 0 ? o.args : (o.entrypoint !== undefined ? [] : (ic.Cmd ?? []));
  const command = [...entrypoint, ...cmd];
  if (command.length === 0) throw new TsmanError('EUSAGE', 'no command or entrypoint provided, and no CMD or ENTRYPOINT from image');

  const fileEnv: string[] = [];
  for (const f of o.envFile) fileEnv.push(...await readEnvFile(f));
  const hostEnv = o.envHost ? hostEnvironment() : [];
  // podman's order: containers.conf env < --env-host or the proxy variables < image < flags
  const env = mergeEnv(
    ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'container=podman'],
    engine.config.containers.env ?? [],
    o.envHost ? hostEnv : proxyEnv(engine),
    ic.Env ?? [],
    fileEnv,
    o.env,
    o.tty ? ['TERM=xterm'] : [],
  );

  let seccomp = engine.config.containers.seccomp_profile || 'default';
  let noNewPrivileges = false;
  for (const s of o.securityOpt) {
    if (s === 'no-new-privileges' || s === 'no-new-privileges=true' || s === 'no-new-privileges:true') noNewPrivileges = true;
    else if (s.startsWith('seccomp=') || s.startsWith('seccomp:')) seccomp = s.slice(8);
    else if (s === 'label=disable' || s.startsWith('label=') || s.startsWith('label:') || s.startsWith('apparmor=') || s.startsWith('mask=') || s.startsWith('unmask=')) { /* no SELinux/AppArmor here */ }
    else throw new TsmanError('EUSAGE', `invalid --security-opt 1: "${s}"`);
  }
  if (o.securityOpt.some((s) => s.startsWith('seccomp')) && seccomp !== 'unconfined' && seccomp !== 'default') {
    // podman reads the profile when the container is created: a missing file fails create, not start
    try { await fsp.readFile(seccomp); } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
      throw new TsmanError('EUSAGE', `opening seccomp profile failed: open ${seccomp}: ${why}`);
    }
    seccomp = path.resolve(seccomp);
  }
  const tmpfs: Record<string, string> = {};
  for (const t of o.tmpfs) {
    const i = t.indexOf(':');
    tmpfs[i < 0 ? t : t.slice(0, i)] = i < 0 ? 'rw,noexec,nosuid,nodev' : t.slice(i + 1);
  }
  const id = randomBytes(32).toString('hex');
  const config: ContainerConfig = {
    command, entrypoint, cmd, env,
    workdir: o.workdir ?? (ic.WorkingDir || '/'),
    ...(o.workdir !== undefined ? { workdirExplicit: true } : {}),
    user: o.user ?? ic.User ?? '',
    groupAdd: o.groupAdd,
    hostname: o.hostname ?? id.slice(0, 12),
    ociRuntime: runtimeName(engine),
    tty: o.tty, interactive: o.interactive,
    labels: { ...(ic.Labels ?? {}), ...kv(o.labels, 'label') },
    annotations: kv(o.annotations, 'annotation'),
    capAdd: o.capAdd, capDrop: o.capDrop, privileged: o.privileged, noNewPrivileges, seccomp,
    readOnly: o.readOnly, readOnlyTmpfs: o.readOnlyTmpfs, tmpfs,
    ulimits: o.ulimits.map(parseUlimit),
    network: 'none',
    pid: o.pid ?? 'private', ipc: o.ipc ?? 'private', uts: o.uts ?? 'private',
    stopSignal: o.stopSignal ?? ic.StopSignal ?? 'SIGTERM',
    stopTimeout: o.stopTimeout ?? engine.config.engine.stop_timeout ?? 10,
    init: o.init,
    logDriver: o.logDriver ?? engine.config.containers.log_driver ?? 'k8s-file',
    autoRemove: o.rm,
    restartPolicy: restart.policy, restartRetries: restart.retries,
    ...(o.tz ? { timezone: o.tz } : {}),
    ...confOnly,
  };
  const logDrivers = ['k8s-file', 'json-file', 'none', 'passthrough'];
  if (!logDrivers.includes(config.logDriver)) {
    throw new TsmanError('EUSAGE', `invalid log driver "${config.logDriver}": supported drivers are ${logDrivers.join(', ')}`);
  }
  if (config.logDriver === 'passthrough' && !o.tty && !process.stdout.isTTY) { /* passthrough hands our stdio over */ }
  for (const lo of o.logOpts ?? []) {
    const i = lo.indexOf('=');
    const k = i < 0 ? lo : lo.slice(0, i);
    const v = i < 0 ? '' : lo.slice(i + 1);
    if (k === 'path') config.logPath = v;
    else if (k === 'max-size') config.logSizeMax = parseSize(v);
    else if (k === 'tag') config.logTag = v;
    else throw new TsmanError('EUSAGE', `invalid log option "${lo}": supported options are path, max-size and tag`);
  }
  if (o.tz && o.tz !== 'local') {
    const zone = path.join('/usr/share/zoneinfo', o.tz);
    try { await fsp.stat(zone); } catch {
      throw new TsmanError('EUSAGE', `running container create option: stat ${zone}: no such file or directory`);
    }
  }
  const usernsMode = (o.userns ?? '').split(':')[0]!;
  if (!engine.rootless && (usernsMode === 'keep-id' || usernsMode === 'nomap')) {
    throw new TsmanError('EUSAGE', `${usernsMode} is only supported in rootless mode`);
  }
  if (o.userns === 'keep-id') {
    if (!engine.store.driver.supportsIdMapping) {
      throw new TsmanError('EUNSUPPORTED', '--userns=keep-id needs the overlay or fuse-overlayfs storage driver (it shows the layers id-shifted through fuse-overlayfs)');
    }
    const { keepIdUser } = await import('../../userns/keepid.js');
    config.keepId = keepIdUser();
    // as podman: the user's own ids are the default user (over the image's USER too)
    if (o.user === undefined) config.user = `${config.keepId.uid}:${config.keepId.gid}`;
  } else if (o.userns === 'nomap') {
    if (!engine.store.driver.supportsIdMapping) {
      throw new TsmanError('EUNSUPPORTED', '--userns=nomap needs the overlay or fuse-overlayfs storage driver (it shows the layers id-shifted through fuse-overlayfs)');
    }
    const { nomapMappings } = await import('../../userns/keepid.js');
    nomapMappings('uid');
    nomapMappings('gid');
    config.nomap = true;
  } else if (o.userns && !['host', ''].includes(o.userns)) {
    throw new TsmanError('EUNSUPPORTED', `--userns=${o.userns} is not supported: use host (the default), keep-id or nomap`);
  }
  for (const [flag, v] of [['--pid', config.pid], ['--ipc', config.ipc], ['--uts', config.uts]] as const) {
    if (!['private', 'host'].includes(v) && !v.startsWith('container:')) {
      throw new TsmanError('EUSAGE', `invalid ${flag} "${v}": must be private, host or container:NAME`);
    }
  }
  const { resolveNetworkOptions } = await import('../../network/options.js');
  Object.assign(config, await resolveNetworkOptions(engine, o, [...new Set([...Object.keys(ic.ExposedPorts ?? {}), ...exposeFlag(o.expose ?? [])])]));

  // what create makes on the way (anonymous volumes, then the record and its files) goes again
  // if a later step fails: a failed create or run leaves nothing, as podman's
  if (rootfsDir) config.rootfs = rootfsDir;
  const imageName = img ? img.names[0] ?? img.id : rootfsDir!;
  const rec: ContainerRecord = { id, name: o.name ?? '', imageId: img?.id ?? '', imageName, created: new Date().toISOString(), config };
  const imgRec = img;
  let recorded = false;
  let anonymous: string[] = [];
  try {
    const { resolveMounts } = await import('./mounts.js');
    config.mounts = await resolveMounts(engine, {
      volumes: o.volumes ?? [], mounts: o.mounts ?? [], volumesFrom: o.volumesFrom ?? [],
      imageVolumes: Object.keys(ic.Volumes ?? {}),
    });
    anonymous = config.mounts.filter((m) => m.type === 'volume' && m.anonymous).map((m) => m.source);
    await engine.store.update(async (state) => {
      const ctrs = state.containers ??= [];
      if (imgRec && !state.images.some((i) => i.id === imgRec.id)) throw new TsmanError('ENOIMAGE', `${o.image}: image not known`);
      if (rec.name === '') rec.name = randomName(new Set(ctrs.map((c) => c.name)));
      const clash = ctrs.find((c) => c.name === rec.name);
      if (clash) {
        throw new TsmanError('EEXISTS', `creating container storage: the container name "${rec.name}" is already in use by ${clash.id}. You have to remove that container to be able to reuse that name: that name is already in use`);
      }
      ctrs.push(rec);
      recorded = true;
      return { save: true, value: undefined };
    });
    const p = new ContainerPaths(engine.store, id);
    // each container's directories in a block group of their own (mkdirSpread); the run root's
    // subdirectories (locks, exits, the runtime's state) too (the graph root's: store.update above)
    mkdirSpread(engine.store.runDir, 0o700);
    mkdirSpread(path.dirname(p.dir), 0o755);
    mkdirSpread(path.dirname(p.runDir), 0o700);
    await mkdirp(p.diff, 0o755);
    await mkdirp(p.work, 0o700);
    await mkdirp(p.userdata, 0o700);
    // the run-root state from the start: reading a container's state is then one read that finds a
    // file (the fallbacks for a run root lost at reboot cost three failed reads, each an exception)
    await writeState(engine.store, id, { status: 'created' });
    if (img) await engine.store.driver.createLayer(p.diff, engine.store.diffDir(img.layers[img.layers.length - 1]!));
  } catch (err) {
    await undoCreate(engine, id, recorded, anonymous);
    throw err;
  }
  return rec;
}

/**
 * Undo a create that failed half-way: the record and its files if it was stored (removeContainer,
 * which takes its anonymous volumes too), else the anonymous volumes made for it.
 */
async function undoCreate(engine: Engine, id: string, recorded: boolean, anonymous: string[]): Promise<void> {
  if (recorded) {
    const { removeContainer } = await import('./lifecycle.js');
    await removeContainer(engine, id, { force: true, volumes: true, ignore: true }).catch(() => undefined);
    return;
  }
  if (anonymous.length === 0) return;
  const vols = await import('../volumes.js');
  for (const v of anonymous) await vols.removeVolume(engine, v, { force: false }).catch(() => undefined);
}

/** --expose 80, 8000-8002/udp → "80/tcp", "8000/udp", ... (the image's ExposedPorts keys) */
function exposeFlag(list: string[]): string[] {
  const out: string[] = [];
  for (const e of list) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(e);
    if (!m) throw new TsmanError('EUSAGE', `invalid port format for --expose: ${e}`);
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    if (a < 1 || b > 65535 || b < a) throw new TsmanError('EUSAGE', `invalid port format for --expose: ${e}`);
    for (let p = a; p <= b; p++) out.push(`${p}/${m[3] ?? 'tcp'}`);
  }
  return out;
}

/** "10m", "1g", "512k", "100" (bytes) as podman's --log-opt max-size. */
export function parseSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(v.trim());
  if (!m) throw new TsmanError('EUSAGE', `invalid size "${v}"`);
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.floor(Number(m[1]) * mult[m[2]!.toLowerCase()]!);
}

function parseEntrypoint(s: string): string[] {
  // podman: a JSON array, else a single string
  if (s.trim().startsWith('[')) {
    try {
      const v = JSON.parse(s) as unknown;
      if (Array.isArray(v)) return v.map(String);
    } catch { /* a plain string */ }
  }
  return [s];
}

/** --env-host: the caller's environment as the user set it (bin/tsman's and the re-exec's markers undone). */
function hostEnvironment(): string[] {
  const env = { ...process.env };
  if (env.TSMAN_EXTRA_CA_CERTS !== undefined) {
    env.NODE_EXTRA_CA_CERTS = env.TSMAN_EXTRA_CA_CERTS;
    delete env.TSMAN_EXTRA_CA_CERTS;
  }
  return Object.entries(env).filter(([k]) => !k.startsWith('_TSMAN')).map(([k, v]) => `${k}=${v}`);
}
