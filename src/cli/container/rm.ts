import { Command, Option } from 'clipanion';
import { Bool } from '../options.js';
import { MultiCommand } from './multi.js';

export class RmCommand extends MultiCommand {
  static override paths = [['rm'], ['container', 'rm']];
  static override usage = Command.Usage({
    category: 'Containers', description: 'Remove one or more containers',
    details: 'Exit status: 1 when a container does not exist, 2 when one is running (without -f), 125 otherwise.',
    examples: [['Force-remove a running container', 'tsman rm -f web'], ['Remove all', 'tsman rm -a -f']],
  });
  force = Bool('-f,--force', false, { description: 'Force removal of a running or unusable container' });
  volumes = Bool('-v,--volumes', false, { description: 'Remove anonymous volumes associated with the container' });
  ignore = Bool('-i,--ignore', false, { description: 'Ignore errors when a specified container is missing' });
  depend = Bool('--depend', false, { description: 'Remove container and all containers that depend on it' });
  time = Option.String('-t,--time', { description: 'Seconds to wait for stop before killing the container' });

  async execute(): Promise<number> {
    const engine = await this.api();
    // podman prints what it was given (the full id for -a)
    return this.printReports(await engine.containerRm(this.targets(), {
      force: this.force, volumes: this.volumes, ignore: this.ignore, timeout: this.time === undefined ? undefined : Number(this.time),
    }));
  }
}
