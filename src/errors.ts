/**
 * Stable error codes: `E_DATA` bad input data (with file, line, column), `E_CONFIG` a bad option
 * or parameter, `E_KERNEL` a kernel status, `E_POOL` the worker pool, `E_IO` files, `E_ABORT` a
 * cancelled run, `E_STRATEGY` a strategy module that failed (a throw in its code, signals of the
 * wrong length or out of range, an import that failed).
 */
export type ErrorCode = 'E_DATA' | 'E_CONFIG' | 'E_KERNEL' | 'E_POOL' | 'E_IO' | 'E_ABORT' | 'E_STRATEGY';

/** Where in an input file a data error is (1-based line and column). */
export interface DataLocation {
  file: string;
  line: number;
  /** 1-based column index; 0 when the problem is the whole line (a missing column, an empty file). */
  column: number;
  /** Header name of the column, when known. */
  columnName?: string;
}

/** The one error type of evoquant: a stable `code`, a message that says what and where. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code: ErrorCode;
  /** For `E_DATA`: where the first problem is. */
  readonly location?: DataLocation;
  /** For `E_CONFIG`: the option or parameter at fault. */
  readonly option?: string;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; location?: DataLocation; option?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.location !== undefined) this.location = options.location;
    if (options.option !== undefined) this.option = options.option;
  }
}

/** `file:line:column (name)`, the form editors and compilers use, so the place is clickable. */
export function formatLocation(loc: DataLocation): string {
  if (loc.column === 0) return `${loc.file}:${loc.line}`;
  const name = loc.columnName !== undefined ? ` (${loc.columnName})` : '';
  return `${loc.file}:${loc.line}:${loc.column}${name}`;
}

export function dataError(loc: DataLocation, message: string): EngineError {
  return new EngineError('E_DATA', `${formatLocation(loc)}: ${message}`, { location: loc });
}

export function configError(option: string, message: string): EngineError {
  return new EngineError('E_CONFIG', `${option}: ${message}`, { option });
}

export function ioError(message: string, cause?: unknown): EngineError {
  return new EngineError('E_IO', message, { cause });
}

export function poolError(message: string, cause?: unknown): EngineError {
  return new EngineError('E_POOL', message, { cause });
}

export function kernelError(message: string, cause?: unknown): EngineError {
  return new EngineError('E_KERNEL', message, { cause });
}

export function abortError(reason?: unknown): EngineError {
  return new EngineError('E_ABORT', 'the run was cancelled', { cause: reason });
}

export function strategyError(message: string, cause?: unknown): EngineError {
  return new EngineError('E_STRATEGY', message, { cause });
}

export function isEngineError(e: unknown): e is EngineError {
  return e instanceof EngineError;
}
