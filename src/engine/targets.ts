// What every verb that acts on several objects shares: which objects (targets, resolved by the
// engine, not the caller) and one report per object, each carrying its own error (podman's
// pkg/domain/entities reports). A caller prints the reports; the last error decides its exit code.
// engine/api/reports.ts serves these types to the engine's callers.
import type { TsmanError } from '../errors.js';

/** Names or ids as given, or every object (--all), or the newest (--latest). */
export interface Targets {
  names: string[];
  all?: boolean;
  latest?: boolean;
}

/** One target's outcome. */
export interface Report {
  /** the name or id as given (the full id for --all and --latest) */
  rawInput: string;
  /** set when this target failed; the others went on */
  err?: TsmanError;
}
