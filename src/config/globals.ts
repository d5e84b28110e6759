// What an engine is opened with: podman's global flags (`--root`, `--runtime`, ...), parsed by the
// CLI (src/cli/options.ts) or, later, given by the REST API's service. Configuration, so the
// engine reads it from below and never imports the CLI above it (engine/api re-exports it).

/** Global flags podman accepts anywhere before the first positional argument. */
export interface GlobalOptions {
  root?: string;
  runroot?: string;
  storageDriver?: string;
  storageOpts: string[];
  logLevel?: string;
  cgroupManager?: string;
  runtime?: string;
  registriesConf?: string;
}
