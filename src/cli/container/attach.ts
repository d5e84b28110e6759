import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { stdout, stderr } from '../../util/stdio.js';
import { Bool } from '../options.js';

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
    const engine = await this.api();
    return engine.containerAttach(this.name, { stdin: this.noStdin ? undefined : process.stdin, stdout: stdout(), stderr: stderr(), detachKeys: this.detachKeys });
  }
}
