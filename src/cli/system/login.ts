import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool, TriBool } from '../options.js';
import { TsmanError } from '../../errors.js';

export class LoginCommand extends TsmanCommand {
  static override paths = [['login']];
  static override usage = Command.Usage({
    category: 'Images',
    description: 'Log in to a container registry',
    details: 'Checks the credentials against the registry and stores them in auth.json (podman\'s path, REGISTRY_AUTH_FILE or --authfile).',
    examples: [['Log in to the TLS test registry', 'tsman login -u tsmanuser -p tsmanpass --cert-dir /var/tmp/tsman-registry/certs.d/127.0.0.1:5001 127.0.0.1:5001']],
  });

  username = Option.String('-u,--username', { description: 'Username for the registry' });
  password = Option.String('-p,--password', { description: 'Password for the registry' });
  passwordStdin = Bool('--password-stdin', false, { description: 'Take the password from stdin' });
  authfile = Option.String('--authfile', { description: 'Path of the authentication file' });
  certDir = Option.String('--cert-dir', { description: 'Path to a directory of certificates' });
  tlsVerify = TriBool('--tls-verify', { description: 'Require HTTPS and verify certificates' });
  getLogin = Bool('--get-login', false, { description: 'Return the current login user for the registry' });
  verbose = Bool('-v,--verbose', false, { description: 'Write more detailed information to stdout' });
  registry = Option.String({ required: false });

  async execute(): Promise<number> {
    const { loginRegistry, currentLogin } = await import('../../engine/auth.js');
    const registry = this.registry;
    if (!registry) throw new TsmanError('EUSAGE', 'please provide a registry to log in to');
    if (this.getLogin) {
      const user = await currentLogin(registry, this.authfile);
      if (!user) throw new TsmanError('EAUTH', `not logged into ${registry}`);
      this.out(`${user}\n`);
      return 0;
    }
    let password = this.password;
    if (this.passwordStdin) {
      if (this.password) throw new TsmanError('EUSAGE', "can't specify both --password-stdin and --password");
      if (!this.username) throw new TsmanError('EUSAGE', 'must provide --username with --password-stdin');
      password = await readAll(process.stdin).then((s) => s.replace(/\r?\n$/, ''));
    }
    let username = this.username;
    if (!username || password === undefined) {
      const { ask } = await import('../../engine/auth.js');
      if (!username) username = await ask('Username: ', false);
      if (password === undefined) password = await ask('Password: ', true);
    }
    await loginRegistry(registry, username, password, { authfile: this.authfile, certDir: this.certDir, tlsVerify: this.tlsVerify });
    this.out('Login Succeeded!\n');
    return 0;
  }
}

export class LogoutCommand extends TsmanCommand {
  static override paths = [['logout']];
  static override usage = Command.Usage({
    category: 'Images',
    description: 'Log out of a container registry',
    examples: [['Log out', 'tsman logout 127.0.0.1:5001'], ['Remove every login', 'tsman logout --all']],
  });

  all = Bool('-a,--all', false, { description: 'Remove the cached credentials for all registries' });
  authfile = Option.String('--authfile', { description: 'Path of the authentication file' });
  registry = Option.String({ required: false });

  async execute(): Promise<number> {
    const { logoutRegistry } = await import('../../engine/auth.js');
    if (this.all) {
      await logoutRegistry(undefined, this.authfile);
      this.out('Removed login credentials for all registries\n');
      return 0;
    }
    if (!this.registry) throw new TsmanError('EUSAGE', 'please provide a registry to log out from');
    await logoutRegistry(this.registry, this.authfile);
    this.out(`Removed login credentials for ${this.registry}\n`);
    return 0;
  }
}

function readAll(s: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    s.on('data', (d) => { buf += d.toString(); });
    s.on('end', () => resolve(buf));
    s.on('error', reject);
  });
}
