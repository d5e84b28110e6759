// The facade the CLI calls: one method per verb. It loads config, opens the store and does the
// work; it never prints (except through the Progress it is handed) and never exits.
import * as path from 'node:path';
import type { GlobalOptions } from '../config/globals.js';
import { loadConfig, storageOption } from '../config/index.js';
import type { Config } from '../config/index.js';
import { createDriver } from '../storage/driver.js';
import { Store } from '../storage/store.js';
import type { ImageRecord } from '../storage/store.js';
import { TsmanError } from '../errors.js';
import * as images from './images.js';

export class Engine {
  private constructor(readonly config: Config, readonly store: Store, readonly globals: GlobalOptions) {}

  static async open(globals: GlobalOptions): Promise<Engine> {
    if (globals.registriesConf) process.env.CONTAINERS_REGISTRIES_CONF = globals.registriesConf;
    const config = await loadConfig({
      root: globals.root, runroot: globals.runroot, storageDriver: globals.storageDriver, storageOpts: globals.storageOpts,
    });
    const driver = await createDriver(config.storage.driver, config.rootless, storageOption(config.storage.options, 'mount_program'));
    const store = await Store.open(config.storage.graphroot, config.storage.runroot, driver);
    return new Engine(config, store, globals);
  }

  get rootless(): boolean { return this.config.rootless; }

  // ---- images -------------------------------------------------------------------------------
  pull(name: string, opts: images.PullRequest): Promise<ImageRecord> { return images.pull(this, name, opts); }
  listImages(opts: images.ListOptions) { return images.list(this, opts); }
  inspectImages(names: string[]) { return images.inspect(this, names); }
  removeImages(names: string[], opts: { force: boolean; all: boolean; ignore?: boolean }) { return images.remove(this, names, opts); }
  tag(name: string, targets: string[]) { return images.tag(this, name, targets); }
  untag(name: string, targets: string[]) { return images.untag(this, name, targets); }
  imageExists(name: string): boolean { return images.exists(this, name); }
  pruneImages(opts: { all: boolean; filters: string[] }) { return images.prune(this, opts); }
  history(name: string) { return images.history(this, name); }

  async systemReset(): Promise<void> {
    const { removeTree } = await import('../storage/store.js');
    // containers first: they hold mounts and monitors
    // a damaged store.json (whose error names this command as the way out) is removed all the
    // same: what it would have listed goes with the directories below
    let readable = true;
    try { this.store.read(); } catch (err) {
      if (!(err instanceof TsmanError && err.code === 'ESTORAGE')) throw err;
      readable = false;
    }
    const { removeContainer } = await import('./containers/lifecycle.js');
    for (const c of readable ? this.store.read().containers ?? [] : []) {
      await removeContainer(this, c.id, { force: true, volumes: true, ignore: true, timeout: 0 });
    }
    const { unmountImage, listImageMounts } = await import('./imagemount.js');
    for (const m of readable ? await listImageMounts(this) : []) await unmountImage(this, m.id).catch(() => undefined);
    await this.store.lock.with(async () => {
      await removeTree(path.join(this.store.dir, 'containers'));
      await removeTree(path.join(this.store.dir, 'volumes'));
      await removeTree(this.config.engine.volume_path);
      await removeTree(path.join(this.store.dir, 'layers'));
      await removeTree(path.join(this.store.dir, 'images'));
      await removeTree(path.join(this.store.dir, 'tmp'));
      await removeTree(path.join(this.store.dir, 'trash'));
      await removeTree(path.join(this.store.dir, 'locks'));
      await removeTree(this.store.stateFile);
      await removeTree(this.store.volatileFile);
      await removeTree(this.store.runDir);
    });
  }
}
