/**
 * Errors of storbench itself (not of a storage system), with stable codes.
 * A UsageError is bad input caught at the edge: the CLI prints its one line and exits 2, having written nothing.
 */
export type ErrorCode =
  | 'STORBENCH_ERR_USAGE'
  | 'STORBENCH_ERR_UNKNOWN_SCHEME'
  | 'STORBENCH_ERR_UNKNOWN_OPTION'
  | 'STORBENCH_ERR_SECRET_IN_CLEAR'
  | 'STORBENCH_ERR_INVALID_WORKLOAD'
  | 'STORBENCH_ERR_CAPABILITY'
  | 'STORBENCH_ERR_UNREACHABLE'
  | 'STORBENCH_ERR_NOT_FOUND'
  /** The results database cannot be opened or written (`--db` names a directory, read-only media, a full disk). */
  | 'STORBENCH_ERR_DATABASE';

export class UsageError extends Error {
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode = 'STORBENCH_ERR_USAGE') {
    super(message);
    this.name = 'UsageError';
    this.code = code;
  }
}
