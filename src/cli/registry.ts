// The one explicit list of commands (yarn's plugin-essentials index does the same). Each entry
// names its paths and loads its module lazily: a run of tsman imports only the command it runs
// (importing all of them cost ~70 ms per invocation). test/unit/registry.test.ts checks that these
// paths are the classes' own.
import type { CommandClass } from 'clipanion';
import type { TsmanContext } from './base.js';

export type TsmanCommandClass = CommandClass<TsmanContext> & { paths?: string[][] };

export interface CommandEntry {
  paths: string[][];
  load: () => Promise<TsmanCommandClass>;
}

export const commands: CommandEntry[] = [
  { paths: [['help'],['-h'],['--help']], load: async () => (await import('./help.js')).HelpCommand },
  { paths: [['inspect']], load: async () => (await import('./inspect.js')).InspectCommand },
  { paths: [['pull'],['image', 'pull']], load: async () => (await import('./image/pull.js')).PullCommand },
  { paths: [['images'],['image', 'ls'],['image', 'list']], load: async () => (await import('./image/list.js')).ImagesCommand },
  { paths: [['image', 'inspect']], load: async () => (await import('./image/inspect.js')).ImageInspectCommand },
  { paths: [['rmi'],['image', 'rm']], load: async () => (await import('./image/rm.js')).RmiCommand },
  { paths: [['tag'],['image', 'tag']], load: async () => (await import('./image/tag.js')).TagCommand },
  { paths: [['untag'],['image', 'untag']], load: async () => (await import('./image/tag.js')).UntagCommand },
  { paths: [['image', 'exists']], load: async () => (await import('./image/exists.js')).ImageExistsCommand },
  { paths: [['image', 'prune']], load: async () => (await import('./image/prune.js')).ImagePruneCommand },
  { paths: [['history'],['image', 'history']], load: async () => (await import('./image/history.js')).HistoryCommand },
  { paths: [['image', 'mount']], load: async () => (await import('./image/mount.js')).ImageMountCommand },
  { paths: [['image', 'unmount'],['image', 'umount']], load: async () => (await import('./image/mount.js')).ImageUnmountCommand },
  { paths: [['info'],['system', 'info']], load: async () => (await import('./system/info.js')).InfoCommand },
  { paths: [['version'],['system', 'version']], load: async () => (await import('./system/version.js')).VersionCommand },
  { paths: [['system', 'reset']], load: async () => (await import('./system/reset.js')).SystemResetCommand },
  { paths: [['system', 'migrate']], load: async () => (await import('./system/migrate.js')).SystemMigrateCommand },
  { paths: [['unshare']], load: async () => (await import('./system/unshare.js')).UnshareCommand },
  { paths: [['login']], load: async () => (await import('./system/login.js')).LoginCommand },
  { paths: [['logout']], load: async () => (await import('./system/login.js')).LogoutCommand },
  { paths: [['run'],['container', 'run']], load: async () => (await import('./container/run.js')).RunCommand },
  { paths: [['create'],['container', 'create']], load: async () => (await import('./container/create.js')).CreateCommand },
  { paths: [['start'],['container', 'start']], load: async () => (await import('./container/simple.js')).StartCommand },
  { paths: [['stop'],['container', 'stop']], load: async () => (await import('./container/simple.js')).StopCommand },
  { paths: [['restart'],['container', 'restart']], load: async () => (await import('./container/simple.js')).RestartCommand },
  { paths: [['kill'],['container', 'kill']], load: async () => (await import('./container/simple.js')).KillCommand },
  { paths: [['rm'],['container', 'rm']], load: async () => (await import('./container/simple.js')).RmCommand },
  { paths: [['wait'],['container', 'wait']], load: async () => (await import('./container/simple.js')).WaitCommand },
  { paths: [['container', 'exists']], load: async () => (await import('./container/simple.js')).ContainerExistsCommand },
  { paths: [['container', 'cleanup']], load: async () => (await import('./container/simple.js')).ContainerCleanupCommand },
  { paths: [['ps'],['container', 'ls'],['container', 'list'],['container', 'ps']], load: async () => (await import('./container/ps.js')).PsCommand },
  { paths: [['logs'],['container', 'logs']], load: async () => (await import('./container/logs.js')).LogsCommand },
  { paths: [['exec'],['container', 'exec']], load: async () => (await import('./container/exec.js')).ExecCommand },
  { paths: [['container', 'inspect']], load: async () => (await import('./container/inspect.js')).ContainerInspectCommand },
  { paths: [['attach'],['container', 'attach']], load: async () => (await import('./container/more.js')).AttachCommand },
  { paths: [['rename'],['container', 'rename']], load: async () => (await import('./container/more.js')).RenameCommand },
  { paths: [['pause'],['container', 'pause']], load: async () => (await import('./container/more.js')).PauseCommand },
  { paths: [['unpause'],['container', 'unpause']], load: async () => (await import('./container/more.js')).UnpauseCommand },
  { paths: [['top'],['container', 'top']], load: async () => (await import('./container/more.js')).TopCommand },
  { paths: [['diff'],['container', 'diff']], load: async () => (await import('./container/more.js')).DiffCommand },
  { paths: [['port'],['container', 'port']], load: async () => (await import('./container/more.js')).PortCommand },
  { paths: [['container', 'prune']], load: async () => (await import('./container/more.js')).ContainerPruneCommand },
  { paths: [['volume', 'create']], load: async () => (await import('./volume/create.js')).VolumeCreateCommand },
  { paths: [['volume', 'ls'],['volume', 'list']], load: async () => (await import('./volume/list.js')).VolumeListCommand },
  { paths: [['volume', 'inspect']], load: async () => (await import('./volume/inspect.js')).VolumeInspectCommand },
  { paths: [['volume', 'rm'],['volume', 'remove']], load: async () => (await import('./volume/rm.js')).VolumeRmCommand },
  { paths: [['volume', 'prune']], load: async () => (await import('./volume/prune.js')).VolumePruneCommand },
  { paths: [['volume', 'exists']], load: async () => (await import('./volume/exists.js')).VolumeExistsCommand },
  { paths: [['volume', 'export']], load: async () => (await import('./volume/transfer.js')).VolumeExportCommand },
  { paths: [['volume', 'import']], load: async () => (await import('./volume/transfer.js')).VolumeImportCommand },
  { paths: [['volume', 'mount']], load: async () => (await import('./volume/mount.js')).VolumeMountCommand },
  { paths: [['volume', 'unmount'],['volume', 'umount']], load: async () => (await import('./volume/mount.js')).VolumeUnmountCommand },
  { paths: [['volume', 'reload']], load: async () => (await import('./volume/mount.js')).VolumeReloadCommand },
  { paths: [['volume']], load: async () => (await import('./volume/help.js')).VolumeCommand },
  { paths: [['network', 'create']], load: async () => (await import('./network/create.js')).NetworkCreateCommand },
  { paths: [['network', 'ls']], load: async () => (await import('./network/list.js')).NetworkListCommand },
  { paths: [['network', 'inspect']], load: async () => (await import('./network/inspect.js')).NetworkInspectCommand },
  { paths: [['network', 'rm'],['network', 'remove']], load: async () => (await import('./network/rm.js')).NetworkRmCommand },
  { paths: [['network', 'prune']], load: async () => (await import('./network/prune.js')).NetworkPruneCommand },
  { paths: [['network', 'exists']], load: async () => (await import('./network/exists.js')).NetworkExistsCommand },
  { paths: [['network', 'connect']], load: async () => (await import('./network/connect.js')).NetworkConnectCommand },
  { paths: [['network', 'disconnect']], load: async () => (await import('./network/connect.js')).NetworkDisconnectCommand },
  { paths: [['network', 'reload']], load: async () => (await import('./network/reload.js')).NetworkReloadCommand },
  { paths: [['network']], load: async () => (await import('./network/help.js')).NetworkCommand },
  { paths: [['cp'],['container', 'cp']], load: async () => (await import('./container/cp.js')).CpCommand },
  { paths: [['mount'],['container', 'mount']], load: async () => (await import('./container/mount.js')).MountCommand },
  { paths: [['umount'],['unmount'],['container', 'umount'],['container', 'unmount']], load: async () => (await import('./container/mount.js')).UnmountCommand },
];
