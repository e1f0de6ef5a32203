/**
 * WebHDFS failures → {@link StorageError}. The NameNode, the DataNodes and HttpFS all answer an error with
 * `{"RemoteException":{"exception":"FileNotFoundException","javaClassName":"java.io.FileNotFoundException","message":"..."}}`
 * and an HTTP status; the exception's simple name decides the kind, the status is the fallback.
 */
import { redactString } from '../target.js';
import { StorageError, type ErrorKind, type Operation } from '../types.js';

/** The body of a WebHDFS error response. */
export interface RemoteException {
  readonly exception: string;
  readonly javaClassName?: string;
  readonly message?: string;
}

/** Where an error happened, to build the StorageError and scrub secrets (a delegation token) from its message. */
export interface ErrorScope {
  readonly driver: string;
  readonly operation: Operation;
  readonly key?: string;
  readonly secrets: readonly string[];
}

const REMOTE_KINDS: Readonly<Record<string, { kind: ErrorKind; temporary?: boolean }>> = {
  FileNotFoundException: { kind: 'NotFound' },
  AccessControlException: { kind: 'PermissionDenied' },
  AuthorizationException: { kind: 'PermissionDenied' },
  SecurityException: { kind: 'PermissionDenied' },
  // A standby (or observer) NameNode: the active one will answer; the client fails over first.
  StandbyException: { kind: 'Unavailable', temporary: true },
  ObserverRetryOnActiveException: { kind: 'Unavailable', temporary: true },
  RetriableException: { kind: 'Unavailable', temporary: true },
  SafeModeException: { kind: 'Unavailable', temporary: true },
  // Lease recovery after an append or a crashed writer: retrying a moment later succeeds.
  AlreadyBeingCreatedException: { kind: 'Unavailable', temporary: true },
  RecoveryInProgressException: { kind: 'Unavailable', temporary: true },
  NotReplicatedYetException: { kind: 'Unavailable', temporary: true },
  FileAlreadyExistsException: { kind: 'InvalidInput' },
  ParentNotDirectoryException: { kind: 'InvalidInput' },
  PathIsNotEmptyDirectoryException: { kind: 'InvalidInput' },
  InvalidPathException: { kind: 'InvalidInput' },
  IllegalArgumentException: { kind: 'InvalidInput' },
  HadoopIllegalArgumentException: { kind: 'InvalidInput' },
  UnsupportedOperationException: { kind: 'Unsupported' },
  ChecksumException: { kind: 'Corrupt' },
  QuotaExceededException: { kind: 'Unavailable', temporary: false },
  DSQuotaExceededException: { kind: 'Unavailable', temporary: false },
  NSQuotaExceededException: { kind: 'Unavailable', temporary: false },
};

function kindOfStatus(status: number): ErrorKind {
  if (status === 404) return 'NotFound';
  if (status === 401 || status === 403) return 'PermissionDenied';
  if (status === 400) return 'InvalidInput';
  if (status === 429) return 'RateLimited';
  if (status === 503) return 'Unavailable';
  return 'Unexpected';
}

/** Parse an error body; undefined when it is not a RemoteException (a proxy's HTML page, an empty body). */
export function parseRemoteException(text: string): RemoteException | undefined {
  try {
    const r = (JSON.parse(text) as { RemoteException?: RemoteException }).RemoteException;
    return r && typeof r.exception === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Map an HTTP error answer (status plus body) to a StorageError. */
export function remoteError(scope: ErrorScope, status: number, remote: RemoteException | undefined, body: string): StorageError {
  const mapped = remote ? REMOTE_KINDS[remote.exception] : undefined;
  const kind = mapped?.kind ?? kindOfStatus(status);
  const detail = remote ? `${remote.exception}: ${remote.message ?? ''}` : body.slice(0, 200) || '(empty body)';
  return new StorageError(kind, scope.driver, scope.operation, redactString(`HTTP ${status} ${detail}`, scope.secrets), {
    ...(mapped?.temporary !== undefined ? { temporary: mapped.temporary } : {}),
    ...(scope.key !== undefined ? { key: scope.key } : {}),
  });
}

/** The error code of a socket-level failure (undici and Node both set `code`; happy eyeballs wraps in AggregateError). */
export function transportCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const inner = (e as { errors?: unknown[] }).errors?.[0];
  return inner !== undefined ? transportCode(inner) : undefined;
}

/** The server is not there at all: nothing was sent, so trying another NameNode is safe. */
export function isConnectionRefused(e: unknown): boolean {
  const code = transportCode(e);
  return code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/** Map a failure below HTTP (refused, reset, timed out, aborted) to a StorageError. */
export function transportError(scope: ErrorScope, e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  const code = transportCode(e);
  const name = e instanceof Error ? e.name : '';
  let kind: ErrorKind = 'Unexpected';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' || name === 'AbortError' || name === 'TimeoutError' || code === 'UND_ERR_ABORTED') {
    kind = 'Timeout';
  } else if (code && /^(ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(code)) {
    kind = 'Unavailable';
  }
  const message = redactString(e instanceof Error ? e.message : String(e), scope.secrets);
  // The cause keeps only the code and the scrubbed message: the original error may carry a request URL
  // with the delegation token in it.
  const cause = Object.assign(new Error(message), { code });
  return new StorageError(kind, scope.driver, scope.operation, `${code ?? name ?? 'error'}: ${message}`, {
    cause, ...(scope.key !== undefined ? { key: scope.key } : {}),
  });
}
