// Options and reports of the container verbs; engine/api/containers.ts serves them (with the
// ContainerEngine interface) to the engine's callers.
import type { Report, Targets } from '../targets.js';
import type { CreateOptions } from './create.js';
import type { AttachIo } from './lifecycle.js';
import type { RunFlags, LogOpts } from './index.js';
import type { ExecOptions } from './exec.js';

export type { Report, Targets, AttachIo, CreateOptions, RunFlags, LogOpts, ExecOptions };

export type StartReport = Report;
export interface StopOptions {
  /** seconds before SIGKILL; the container's own stop timeout when absent */
  timeout?: number;
  /** a missing container is no error (and gets no report) */
  ignore: boolean;
}
export type StopReport = Report;
export interface RestartOptions { timeout?: number }
export type RestartReport = Report;
export interface KillOptions { signal: string }
export type KillReport = Report;
export interface RmOptions {
  force: boolean;
  volumes: boolean;
  /** a missing container is no error (and gets no report) */
  ignore: boolean;
  timeout?: number;
}
export type RmReport = Report;
export interface WaitOptions { conditions: string[] }
export interface WaitReport extends Report {
  /** the exit code waited for (-1 for condition running) */
  exitCode?: number;
}
export interface PortOptions {
  all: boolean;
  latest: boolean;
  /** the container, or with --all (and --latest without a port) the PORT[/PROTO] filter */
  name?: string;
  port?: string;
}
export interface PortReport {
  id: string;
  /** `80/tcp -> 0.0.0.0:8080`, one per mapping */
  lines: string[];
}
export interface Change { kind: 'A' | 'C' | 'D'; path: string }
