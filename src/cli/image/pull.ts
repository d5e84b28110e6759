import { Command, Option } from 'clipanion';
import { TsmanCommand } from '../base.js';
import { Bool, TriBool } from '../options.js';

export class PullCommand extends TsmanCommand {
  static override paths = [['pull'], ['image', 'pull']];
  static override needsUserNamespace = true;
  static override usage = Command.Usage({
    category: 'Images',
    description: 'Pull an image from a registry',
    details: 'Pulls an image from a registry and stores it locally. Short names are resolved through registries.conf.',
    examples: [
      ['Pull from the local test registry over plain http', 'tsman pull --tls-verify=false 127.0.0.1:5000/tsman/busybox:latest'],
      ['Pull the arm64 variant of a multi-arch image', 'tsman pull --platform linux/arm64 127.0.0.1:5000/tsman/multiarch'],
    ],
  });

  quiet = Bool('-q,--quiet', false, { description: 'Suppress output information when pulling images' });
  tlsVerify = TriBool('--tls-verify', { description: 'Require HTTPS and verify certificates when contacting registries' });
  certDir = Option.String('--cert-dir', { description: 'Path to a directory of certificates (*.crt, *.cert, *.key)' });
  creds = Option.String('--creds', { description: 'Credentials USERNAME:PASSWORD for the registry' });
  authfile = Option.String('--authfile', { description: 'Path of the authentication file' });
  platform = Option.String('--platform', { description: 'Pull the image for this OS/ARCH[/VARIANT]' });
  arch = Option.String('--arch', { description: 'Use ARCH instead of the architecture of the machine' });
  os = Option.String('--os', { description: 'Use OS instead of the running OS' });
  variant = Option.String('--variant', { description: 'Use VARIANT instead of the default architecture variant' });
  allTags = Bool('-a,--all-tags', false, { description: 'Pull all tagged images in the repository' });
  images = Option.Rest({ required: 1 });

  async execute(): Promise<number> {
    const engine = await this.api();
    const { makeProgress } = await import('../../image/progress.js');
    const { parsePlatform } = await import('../../image/platform.js');
    let os = this.os, arch = this.arch, variant = this.variant;
    if (this.platform) {
      const p = parsePlatform(this.platform);
      os = p.os; arch = p.architecture; variant = p.variant;
    }
    for (const name of this.images) {
      const rec = await engine.imagePull(name, {
        tlsVerify: this.tlsVerify, certDir: this.certDir, creds: this.creds, authfile: this.authfile,
        os, arch, variant, progress: makeProgress(this.quiet), warn: (m) => this.warn(m),
      });
      this.out(`${rec.id}\n`);
    }
    return 0;
  }
}
