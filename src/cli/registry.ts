// The one explicit list of commands (yarn's plugin-essentials index does the same).
import type { CommandClass } from 'clipanion';
import type { TsmanContext } from './base.js';
import { HelpCommand } from './help.js';
import { InspectCommand } from './inspect.js';
import { PullCommand } from './image/pull.js';
import { ImagesCommand } from './image/list.js';
import { ImageInspectCommand } from './image/inspect.js';
import { RmiCommand } from './image/rm.js';
import { TagCommand, UntagCommand } from './image/tag.js';
import { ImageExistsCommand } from './image/exists.js';
import { ImagePruneCommand } from './image/prune.js';
import { HistoryCommand } from './image/history.js';
import { ImageMountCommand, ImageUnmountCommand } from './image/mount.js';
import { InfoCommand } from './system/info.js';
import { VersionCommand } from './system/version.js';
import { SystemResetCommand } from './system/reset.js';
import { SystemMigrateCommand } from './system/migrate.js';
import { UnshareCommand } from './system/unshare.js';
import { LoginCommand, LogoutCommand } from './system/login.js';
import { RunCommand } from './container/run.js';
import { CreateCommand } from './container/create.js';
import {
  StartCommand, StopCommand, RestartCommand, KillCommand, RmCommand, WaitCommand, ContainerExistsCommand, ContainerCleanupCommand,
} from './container/simple.js';
import { PsCommand } from './container/ps.js';
import { LogsCommand } from './container/logs.js';
import { ExecCommand } from './container/exec.js';
import { ContainerInspectCommand } from './container/inspect.js';
import {
  AttachCommand, RenameCommand, PauseCommand, UnpauseCommand, TopCommand, DiffCommand, PortCommand, ContainerPruneCommand,
} from './container/more.js';
import { VolumeCreateCommand } from './volume/create.js';
import { VolumeListCommand } from './volume/list.js';
import { VolumeInspectCommand } from './volume/inspect.js';
import { VolumeRmCommand } from './volume/rm.js';
import { VolumePruneCommand } from './volume/prune.js';
import { VolumeExistsCommand } from './volume/exists.js';
import { VolumeExportCommand, VolumeImportCommand } from './volume/transfer.js';
import { VolumeCommand } from './volume/help.js';

export const commands: Array<CommandClass<TsmanContext> & { paths?: string[][] }> = [
  HelpCommand,
  InspectCommand,
  PullCommand,
  ImagesCommand,
  ImageInspectCommand,
  RmiCommand,
  TagCommand,
  UntagCommand,
  ImageExistsCommand,
  ImagePruneCommand,
  HistoryCommand,
  ImageMountCommand,
  ImageUnmountCommand,
  InfoCommand,
  VersionCommand,
  SystemResetCommand,
  SystemMigrateCommand,
  UnshareCommand,
  LoginCommand,
  LogoutCommand,
  RunCommand,
  CreateCommand,
  StartCommand,
  StopCommand,
  RestartCommand,
  KillCommand,
  RmCommand,
  WaitCommand,
  ContainerExistsCommand,
  ContainerCleanupCommand,
  PsCommand,
  LogsCommand,
  ExecCommand,
  ContainerInspectCommand,
  AttachCommand,
  RenameCommand,
  PauseCommand,
  UnpauseCommand,
  TopCommand,
  DiffCommand,
  PortCommand,
  ContainerPruneCommand,
  VolumeCreateCommand,
  VolumeListCommand,
  VolumeInspectCommand,
  VolumeRmCommand,
  VolumePruneCommand,
  VolumeExistsCommand,
  VolumeExportCommand,
  VolumeImportCommand,
  VolumeCommand,
];
