// One error type for the whole engine: a stable code, the exit code podman would use, and an
// optional hint. Formatting for the terminal happens only in src/cli/main.ts.

export const ExitCode = {
  /** tsman's own failure (podman: define.ExecErrorCodeGeneric) */
  Generic: 125,
  /** the command exists but cannot be invoked */
  CannotInvoke: 126,
  /** the command was not found */
  NotFound: 127,
} as const;

export type ErrorCode =
  | 'EGENERIC'
  | 'EUSAGE'
  | 'ECONFIG'
  | 'ENOIMAGE'
  | 'ENOMANIFEST'
  | 'EREGISTRY'
  | 'EAUTH'
  | 'EDIGEST'
  /** a document from a registry or a state file on disk that is not what its specification says */
  | 'EINVALID'
  | 'ELAYER'
  | 'EUNSAFE'
  | 'ESTORAGE'
  | 'ELOCK'
  | 'EUSERNS'
  | 'EINUSE'
  | 'ENOTFOUND'
  | 'EEXISTS'
  | 'EFORMAT'
  | 'EUNSUPPORTED';

export class TsmanError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, opts: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TsmanError';
    this.code = code;
    this.exitCode = opts.exitCode ?? ExitCode.Generic;
    this.hint = opts.hint;
  }
}

/** Wrap any thrown value with context on the way up, keeping a TsmanError's code and exit code. */
export function wrapError(err: unknown, context: string): TsmanError {
  if (err instanceof TsmanError) {
    return new TsmanError(err.code, `${context}: ${err.message}`, { exitCode: err.exitCode, hint: err.hint, cause: err });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new TsmanError('EGENERIC', `${context}: ${msg}`, { cause: err });
}

export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
