import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';
import { requireUnshare } from '../../userns/joined.js';

export class MountCommand extends TsmanCommand {
  static override paths = [['mount'], ['container', 'mount']];
  static override usage = Command.Usage({
    category: 'Containers',
    description: "Mount a container's root filesystem and print where; without a container, list the mounted ones",
    details: 'Rootless, run it inside `tsman unshare`: the mount lives in the user namespace.',
    examples: [
      ['Look inside a container', 'tsman unshare sh -c \'ls $(tsman mount web)\''],
      ['List mounted containers', 'tsman mount'],
    ],
  });

  all = Bool('-a,--all', false, { description: 'Mount all containers' });
  format = Option.String('--format', { description: 'Print the mounted containers in specified format (json)' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  noTrunc = Bool('--no-trunc', false, { description: 'Do not truncate output' });
  names = Option.Rest();

  async execute(): Promise<number> {
    requireUnshare(this.path.join(' '));
    const engine = await this.engine();
    const { listContainerMounts, mountContainer, findAll, latestContainer } = await import('../../engine/cp.js');
    if (this.names.length === 0 && !this.all && !this.latest) {
      const mounts = listContainerMounts(engine);
      if (this.format !== undefined) {
        if (this.format.toLowerCase() !== 'json') throw new TsmanError('EUSAGE', `unknown --format argument: ${this.format}`);
        this.out(`${JSON.stringify(mounts.map((m) => ({ id: m.id, Names: m.names, mountpoint: m.path })), null, 1)}\n`);
        return 0;
      }
      for (const m of mounts) this.out(`${this.noTrunc ? m.id : m.id.slice(0, 12)}  ${m.path}\n`);
      return 0;
    }
    const ctrs = this.all ? engine.store.read().containers ?? [] : this.latest ? [latestContainer(engine)] : findAll(engine, this.names);
    for (const c of ctrs) this.out(`${await mountContainer(engine, c)}\n`);
    return 0;
  }
}

export class UnmountCommand extends TsmanCommand {
  static override paths = [['umount'], ['unmount'], ['container', 'umount'], ['container', 'unmount']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Containers',
    description: "Unmount a container's root filesystem (a running container keeps its own)",
    examples: [['Unmount', 'tsman umount web'], ['Unmount every mounted container', 'tsman umount --all']],
  });

  all = Bool('-a,--all', false, { description: 'Unmount all of the currently mounted containers' });
  force = Bool('-f,--force', false, { description: 'Force the complete unmount of the specified mounted containers' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  names = Option.Rest();

  async execute(): Promise<number> {
    if (!this.all && !this.latest && this.names.length === 0) throw new TsmanError('EUSAGE', 'you must provide at least one name or id');
    const engine = await this.engine();
    const { listContainerMounts, unmountContainer, findAll, latestContainer } = await import('../../engine/cp.js');
    if (this.all) {
      const state = engine.store.read();
      for (const m of listContainerMounts(engine)) {
        const c = (state.containers ?? []).find((x) => x.id === m.id);
        if (c && await unmountContainer(engine, c)) this.out(`${c.id}\n`);
      }
      return 0;
    }
    if (this.latest) {
      const c = latestContainer(engine);
      await unmountContainer(engine, c);
      this.out(`${c.id}\n`);
      return 0;
    }
    const ctrs = findAll(engine, this.names);
    for (const [i, c] of ctrs.entries()) {
      await unmountContainer(engine, c);
      this.out(`${this.names[i]}\n`);
    }
    return 0;
  }
}
