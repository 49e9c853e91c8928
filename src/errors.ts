// The one catalogue of dondoc errors. Each has a stable code (logs, API bodies and tests refer
// to it) and the CLI exit code it maps to, so every command exits the same way for the same
// kind of failure: 1 input rejected, 2 usage error, 3 environment (Redis, SMTP unreachable).

export const EXIT = { ok: 0, rejected: 1, usage: 2, environment: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const ERROR_CODES = {
  CONFIG_INVALID: { exit: EXIT.rejected, http: 500 },
  // A config file that is not there is the machine's state, like Redis being down (README, "Commands").
  CONFIG_NOT_FOUND: { exit: EXIT.environment, http: 500 },
  USAGE: { exit: EXIT.usage, http: 400 },
  INPUT_REJECTED: { exit: EXIT.rejected, http: 400 },
  IMPORT_REJECTED: { exit: EXIT.rejected, http: 400 },
  TASK_NOT_FOUND: { exit: EXIT.rejected, http: 404 },
  TASK_CONFLICT: { exit: EXIT.rejected, http: 409 },
  REVISION_MISMATCH: { exit: EXIT.rejected, http: 412 },
  UNAUTHORIZED: { exit: EXIT.rejected, http: 401 },
  FORBIDDEN: { exit: EXIT.rejected, http: 403 },
  REDIS_UNAVAILABLE: { exit: EXIT.environment, http: 503 },
  SMTP_UNAVAILABLE: { exit: EXIT.environment, http: 503 },
  ENVIRONMENT: { exit: EXIT.environment, http: 503 },
  // HTTP-only outcomes the API reports in the same error shape.
  NOT_FOUND: { exit: EXIT.rejected, http: 404 },
  PAYLOAD_TOO_LARGE: { exit: EXIT.rejected, http: 413 },
  UNSUPPORTED_MEDIA_TYPE: { exit: EXIT.rejected, http: 415 },
  INTERNAL: { exit: EXIT.environment, http: 500 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface Problem {
  /** Where: a file, a dotted field path, a row/column — whatever lets a person find it. */
  path: string;
  message: string;
  /** The line in the file `path` names, when known (YAML files: config, org directory, calendar data). */
  line?: number;
}

/**
 * A problem as one line: `file:LINE: field: message` when the line is known (so an editor can
 * jump there), else `path: message`. Paths are `file: field` (config/dondoc.yaml: office_hours.open).
 */
export function problemLine(p: Problem): string {
  if (p.line === undefined) return `${p.path}: ${p.message}`;
  const i = p.path.indexOf(': ');
  return i > 0 ? `${p.path.slice(0, i)}:${p.line}: ${p.path.slice(i + 2)}: ${p.message}` : `${p.path}:${p.line}: ${p.message}`;
}

export class DondocError extends Error {
  readonly code: ErrorCode;
  readonly problems: readonly Problem[];

  constructor(code: ErrorCode, message: string, problems: readonly Problem[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DondocError';
    this.code = code;
    this.problems = problems;
  }

  get exitCode(): ExitCode {
    return ERROR_CODES[this.code].exit;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

export const usageError = (message: string): DondocError => new DondocError('USAGE', message);

export const isDondocError = (e: unknown): e is DondocError => e instanceof DondocError;
