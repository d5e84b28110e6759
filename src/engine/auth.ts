// login / logout: credentials are checked against the registry before they are stored.
import { getCredentials, setCredentials, removeCredentials, removeAll } from '../image/authfile.js';
import { RegistryClient } from '../image/registry.js';
import { TsmanError } from '../errors.js';
import { certDirFor } from './images.js';
import { isRootless } from '../userns/index.js';

function registryKey(input: string): string {
  // podman accepts `https://host/`, `host`, `host/repo`
  return input.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

export async function loginRegistry(input: string, username: string, password: string,
  opts: { authfile?: string; certDir?: string; tlsVerify?: boolean }): Promise<void> {
  const key = registryKey(input);
  const host = key.split('/')[0]!;
  if (!username) throw new TsmanError('EUSAGE', 'username is required');
  const client = new RegistryClient({
    registry: host, insecure: opts.tlsVerify === false, certDir: certDirFor(isRootless(), host, opts.certDir),
    credentials: { username, password },
  });
  try {
    await client.checkAuth();
  } catch (err) {
    if (err instanceof TsmanError && err.code === 'EAUTH') {
      throw new TsmanError('EAUTH', `logging into "${host}": invalid username/password`);
    }
    throw err;
  }
  await setCredentials(key, username, password, { authfile: opts.authfile });
}

export async function currentLogin(input: string, authfile?: string): Promise<string | undefined> {
  const c = await getCredentials(registryKey(input), { authfile });
  return c && 'username' in c ? c.username : undefined;
}

export async function logoutRegistry(input: string | undefined, authfile?: string): Promise<void> {
  if (input === undefined) { await removeAll({ authfile }); return; }
  const key = registryKey(input);
  const had = await getCredentials(key, { authfile });
  if (!had) throw new TsmanError('EAUTH', `not logged into ${key}`);
  await removeCredentials(key, { authfile });
}

/** Prompt on the terminal; the password is read without echo. */
export async function ask(question: string, secret: boolean): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY && secret) {
    throw new TsmanError('EUSAGE', 'cannot prompt for a password without a terminal: use --password or --password-stdin');
  }
  process.stderr.write(question);
  if (secret && stdin.isTTY) stdin.setRawMode(true);
  return new Promise((resolve) => {
    let buf = '';
    const onData = (d: Buffer) => {
      for (const ch of d.toString()) {
        if (ch === '\r' || ch === '\n') { finish(); return; }
        if (ch === '\u0003') { finish(); process.exit(130); }
        if (ch === '\u007f') buf = buf.slice(0, -1); else buf += ch;
      }
    };
    const finish = () => {
      stdin.off('data', onData);
      if (secret && stdin.isTTY) { stdin.setRawMode(false); process.stderr.write('\n'); }
      stdin.pause();
      resolve(buf);
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}
