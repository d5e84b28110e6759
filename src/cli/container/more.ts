// attach, rename, pause, unpause, top, diff, port, container prune.
import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { stdout, stderr } from '../../util/stdio.js';
import { Bool } from '../options.js';
import { TsmanError } from '../../errors.js';

export class AttachCommand extends TsmanCommand {
  static override paths = [['attach'], ['container', 'attach']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Containers', description: 'Attach to a running container (detach with ctrl-p,ctrl-q)',
    examples: [['Attach', 'tsman attach web'], ['Other detach keys', 'tsman attach --detach-keys ctrl-a,d web']],
  });
  detachKeys = Option.String('--detach-keys', { description: 'Select the key sequence for detaching a container' });
  noStdin = Bool('--no-stdin', false, { description: 'Do not attach STDIN' });
  sigProxy = Option.Boolean('--sig-proxy', true, { description: 'Proxy received signals to the process' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  name = Option.String({ required: true });
  async execute(): Promise<number> {
    const engine = await this.engine();
    const { attachByName } = await import('../../engine/containers/extra.js');
    return attachByName(engine, this.name, { stdin: this.noStdin ? undefined : process.stdin, stdout: stdout(), stderr: stderr(), detachKeys: this.detachKeys });
  }
}

export class RenameCommand extends TsmanCommand {
  static override paths = [['rename'], ['container', 'rename']];
  static override usage = Command.Usage({ category: 'Containers', description: 'Rename an existing container', examples: [['Rename', 'tsman rename web web2']] });
  name = Option.String({ required: true });
  newName = Option.String({ required: true });
  async execute(): Promise<number> {
    const engine = await this.engine();
    const { renameContainer } = await import('../../engine/containers/extra.js');
    await renameContainer(engine, this.name, this.newName);
    return 0;
  }
}

export class PauseCommand extends TsmanCommand {
  static override paths = [['pause'], ['container', 'pause']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({ category: 'Containers', description: 'Pause all the processes in one or more containers (needs the cgroup freezer)', examples: [['Pause', 'tsman pause web']] });
  names = Option.Rest({ required: 1 });
  async execute(): Promise<number> {
    const engine = await this.engine();
    const { pauseContainer } = await import('../../engine/containers/extra.js');
    for (const n of this.names) { await pauseContainer(engine, n, true); this.out(`${n}\n`); }
    return 0;
  }
}

export class UnpauseCommand extends TsmanCommand {
  static override paths = [['unpause'], ['container', 'unpause']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({ category: 'Containers', description: 'Unpause the processes in one or more containers', examples: [['Unpause', 'tsman unpause web']] });
  names = Option.Rest({ required: 1 });
  async execute(): Promise<number> {
    const engine = await this.engine();
    const { pauseContainer } = await import('../../engine/containers/extra.js');
    for (const n of this.names) { await pauseContainer(engine, n, false); this.out(`${n}\n`); }
    return 0;
  }
}

export class TopCommand extends TsmanCommand {
  static override paths = [['top'], ['container', 'top']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({ category: 'Containers', description: 'Display the running processes of a container', examples: [['Processes', 'tsman top web']] });
  name = Option.String({ required: true });
  descriptors = Option.Rest();
  async execute(): Promise<number> {
    const engine = await this.engine();
    const { topContainer } = await import('../../engine/containers/extra.js');
    const { tabwrite } = await import('../../format/template.js');
    const rows = await topContainer(engine, this.name);
    this.out(tabwrite(rows.map((r) => r.join('\t')).join('\n') + '\n'));
    return 0;
  }
}

export class DiffCommand extends TsmanCommand {
  static override paths = [['diff'], ['container', 'diff']];
  static override usage = Command.Usage({ category: 'Containers', description: "Inspect changes to a container's file systems (A added, C changed, D deleted)", examples: [['Changes', 'tsman diff web']] });
  format = Option.String('--format', { description: 'Change the output format (json)' });
  name = Option.String({ required: true });
  async execute(): Promise<number> {
    const engine = await this.engine();
    const { diffContainer } = await import('../../engine/containers/extra.js');
    const changes = await diffContainer(engine, this.name);
    if (this.format === 'json') {
      const by = (k: string) => changes.filter((c) => c.kind === k).map((c) => c.path);
      const obj: Record<string, string[]> = {};
      if (by('C').length) obj.changed = by('C');
      if (by('A').length) obj.added = by('A');
      if (by('D').length) obj.deleted = by('D');
      this.out(JSON.stringify(obj, null, 4) + '\n');
      return 0;
    }
    for (const c of changes) this.out(`${c.kind} ${c.path}\n`);
    return 0;
  }
}

export class PortCommand extends TsmanCommand {
  static override paths = [['port'], ['container', 'port']];
  static override usage = Command.Usage({
    category: 'Containers', description: 'List port mappings or a specific mapping for the container',
    examples: [['All mappings of web', 'tsman port web'], ['Where 80/tcp goes', 'tsman port web 80/tcp'], ['Every container', 'tsman port -a']],
  });
  all = Bool('-a,--all', false, { description: 'Display port information for all containers' });
  latest = Bool('-l,--latest', false, { description: 'Act on the latest container tsman is aware of' });
  name = Option.String({ required: false });
  port = Option.String({ required: false });
  async execute(): Promise<number> {
    const engine = await this.engine();
    const { mustFindContainer } = await import('../../engine/containers/lookup.js');
    const { portLines } = await import('../../network/ports.js');
    const state = engine.store.read();
    if (this.all) {
      if (this.port !== undefined) throw new TsmanError('EUSAGE', 'the -a/--all option takes no port argument');
      const filter = this.name;
      for (const c of state.containers ?? []) {
        const lines = portLines(c.config.ports ?? [], filter);
        for (const l of lines) this.out(`${c.id.slice(0, 12)}\t${l}\n`);
      }
      return 0;
    }
    let target = this.name;
    if (this.latest) {
      const last = [...(state.containers ?? [])].sort((a, b) => Date.parse(b.created) - Date.parse(a.created))[0];
      if (!last) throw new TsmanError('EGENERIC', 'no containers to list');
      if (this.port === undefined && this.name !== undefined) this.port = this.name;
      target = last.id;
    }
    if (!target) throw new TsmanError('EUSAGE', 'you must supply a running container name or ID');
    const c = mustFindContainer(state, target);
    if (this.port !== undefined) {
      const [num, proto] = this.port.split('/');
      if (!/^\d+$/.test(num ?? '') || (proto !== undefined && !['tcp', 'udp', 'sctp'].includes(proto))) {
        throw new TsmanError('EUSAGE', `invalid port "${this.port}"`);
      }
      const lines = portLines(c.config.ports ?? [], `${num}/${proto ?? 'tcp'}`);
      if (lines.length === 0) throw new TsmanError('EGENERIC', `failed to find published port "${this.port}"`);
      this.out(lines.join('\n') + '\n');
      return 0;
    }
    const lines = portLines(c.config.ports ?? []);
    if (lines.length) this.out(lines.join('\n') + '\n');
    return 0;
  }
}

export class ContainerPruneCommand extends TsmanCommand {
  static override paths = [['container', 'prune']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({ category: 'Containers', description: 'Remove all non running containers', examples: [['Without asking', 'tsman container prune -f']] });
  force = Bool('-f,--force', false, { description: 'Do not prompt for confirmation' });
  filter = Option.Array('--filter', [], { description: 'Provide filter values' });
  async execute(): Promise<number> {
    if (!this.force) {
      const { confirm } = await import('../prompt.js');
      if (!(await confirm(this, 'WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] '))) return 0;
    }
    const engine = await this.engine();
    const { pruneContainers } = await import('../../engine/containers/extra.js');
    for (const id of await pruneContainers(engine)) this.out(`${id}\n`);
    return 0;
  }
}
