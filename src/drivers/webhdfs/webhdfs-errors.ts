/**
 * WebHDFS failures → {@link StorageError}. The NameNode, the DataNodes and HttpFS all answer an error with
 * `{"RemoteException":{"exception":"FileNotFoundException","javaClassName":"java.io.FileNotFoundException","message":"..."}}`
 * and an HTTP status; the exception's simple name decides the kind, the status is the fallback.
 * The client throws what it met as it met it ({@link WebHdfsError} for an HTTP answer, the socket's own error
 * below HTTP); {@link webhdfsErrorMapper} is the definition's `mapError`, and the driver's own branches test
 * {@link WebHdfsError.code}, never a message. Aborts are not mapped here: the kernel makes them Cancelled, and it
 * scrubs the delegation token from every message.
 */
import { type ErrorKind, type Operation, StorageError } from '../types.js';

/** The body of a WebHDFS error response. */
export interface RemoteException {
  readonly exception: string;
  readonly javaClassName?: string;
  readonly message?: string;
}

/** An HTTP answer of status >= 300 that is not what the call wanted (a RemoteException, or a proxy's page). */
export class WebHdfsError extends Error {
  /** The RemoteException's class (`FileNotFoundException`, `StandbyException`...), else the HTTP status (`"503"`). */
  readonly code: string;

  constructor(
    readonly status: number,
    readonly remote: RemoteException | undefined,
    body: string,
  ) {
    super(`HTTP ${status} ${remote ? `${remote.exception}: ${remote.message ?? ''}` : body.slice(0, 200) || '(empty body)'}`);
    this.name = 'WebHdfsError';
    this.code = remote?.exception ?? String(status);
  }
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

/** The kind of an HTTP error answer: its exception's, else its status's. */
function remoteKind(e: WebHdfsError): { kind: ErrorKind; temporary?: boolean } {
  return (e.remote ? REMOTE_KINDS[e.remote.exception] : undefined) ?? { kind: kindOfStatus(e.status) };
}

/** The path is not there (FileNotFoundException, or a 404 without a RemoteException). */
export function isNotFound(e: unknown): boolean {
  return e instanceof WebHdfsError && remoteKind(e).kind === 'NotFound';
}

/** The error code of a socket-level failure (undici and Node both set `code`; happy eyeballs wraps in AggregateError). */
export function transportCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const inner = (e as { errors?: unknown[] }).errors?.[0];
  return inner !== undefined ? transportCode(inner) : undefined;
}

/** The server is not there at all: nothing was sent, so trying another NameNode (or DataNode) is safe. */
export function isConnectionRefused(e: unknown): boolean {
  const code = transportCode(e);
  return code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/** A failure below HTTP (refused, reset, timed out): its kind by the socket's code. */
function transportKind(code: string | undefined): ErrorKind {
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return 'Timeout';
  }
  if (code && /^(ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(code)) return 'Unavailable';
  return 'Unexpected';
}

/**
 * The `mapError` of the `driver` definition (webhdfs or swebhdfs): an HTTP answer by its exception (else status),
 * anything else by its socket code; `code` keeps the exception class, the HTTP status or the socket code.
 * The original error is not kept as the cause: it may carry a request URL with the delegation token in it.
 */
export function webhdfsErrorMapper(driver: string): (e: unknown, operation: Operation, key: string | undefined) => StorageError {
  return (e, operation, key) => {
    const at = key !== undefined ? { key } : {};
    if (e instanceof WebHdfsError) {
      const { kind, temporary } = remoteKind(e);
      return new StorageError(kind, driver, operation, e.message, { ...at, code: e.code, ...(temporary !== undefined ? { temporary } : {}) });
    }
    const code = transportCode(e);
    const name = e instanceof Error ? e.name : '';
    const message = e instanceof Error ? e.message : String(e);
    return new StorageError(transportKind(code), driver, operation, `${code ?? (name || 'error')}: ${message}`, { ...at, ...(code ? { code } : {}) });
  };
}
