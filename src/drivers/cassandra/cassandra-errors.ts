/**
 * Maps cassandra-driver errors to {@link StorageError} kinds, keeping the native code in `StorageError.code`
 * (the protocol error's name in the driver's `types.responseErrorCodes`, e.g. `readTimeout`, `unavailableException`;
 * else the driver's error class, e.g. `NoHostAvailableError`, `OperationTimedOutError`; a socket error's errno):
 * - Unavailable (0x1000), Overloaded, IsBootstrapping → Unavailable (temporary)
 * - server Read/Write timeouts (0x1200/0x1100) and the client's OperationTimedOutError → Timeout (temporary)
 * - Read/Write failures (replicas answered with an error) → Unavailable (temporary)
 * - NoHostAvailable → Unavailable (temporary), or PermissionDenied when every host refused the credentials;
 *   its message is one line, each host with its reason
 * - Invalid, SyntaxError, ConfigError, AlreadyExists, ArgumentError → InvalidInput
 * - Unauthorized, BadCredentials, AuthenticationError → PermissionDenied
 * - BusyConnection (every stream id of the pool in use) → RateLimited (temporary)
 * - a socket error (the connection to the coordinator closed mid-request: a node died) → Unavailable (temporary)
 * - anything else → Unexpected
 * The kernel scrubs the target's secrets from the message (a password can appear in an authentication error)
 * and maps aborts to Cancelled before this is called.
 */
import cassandra from 'cassandra-driver';
import { type ErrorKind, type Operation, StorageError } from '../types.js';

const codes = cassandra.types.responseErrorCodes;
const { errors } = cassandra;

const KIND_BY_CODE = new Map<number, ErrorKind>([
  [codes.unavailableException, 'Unavailable'],
  [codes.overloaded, 'Unavailable'],
  [codes.isBootstrapping, 'Unavailable'],
  [codes.readTimeout, 'Timeout'],
  [codes.writeTimeout, 'Timeout'],
  [codes.readFailure, 'Unavailable'],
  [codes.writeFailure, 'Unavailable'],
  [codes.invalid, 'InvalidInput'],
  [codes.syntaxError, 'InvalidInput'],
  [codes.configError, 'InvalidInput'],
  [codes.alreadyExists, 'InvalidInput'],
  [codes.unauthorized, 'PermissionDenied'],
  [codes.badCredentials, 'PermissionDenied'],
]);

/** Protocol error code → its name in the driver (`0x1200` → `readTimeout`). */
const NAME_BY_CODE = new Map<number, string>(Object.entries(codes).map(([name, code]) => [code as number, name]));

/** The kind of one native error (exported for tests and for the NoHostAvailable inner errors). */
export function kindOf(e: unknown): ErrorKind {
  if (e instanceof StorageError) return e.kind;
  if (e instanceof errors.ResponseError) return KIND_BY_CODE.get(e.code) ?? 'Unexpected';
  if (e instanceof errors.OperationTimedOutError) return 'Timeout';
  if (e instanceof errors.AuthenticationError) return 'PermissionDenied';
  if (e instanceof errors.ArgumentError) return 'InvalidInput';
  if (e instanceof errors.BusyConnectionError) return 'RateLimited';
  // The driver flags errors of a broken connection (ECONNRESET, "Socket was closed") with isSocketError.
  if (isSocketError(e)) return 'Unavailable';
  if (e instanceof errors.NoHostAvailableError) {
    const inner = Object.values(e.innerErrors ?? {});
    return inner.length > 0 && inner.every((x) => kindOf(x) === 'PermissionDenied') ? 'PermissionDenied' : 'Unavailable';
  }
  return 'Unexpected';
}

/**
 * The native code of one error: a protocol error's name (`readTimeout`; `0x1234` when the driver has no name for
 * it), a socket error's errno (`ECONNRESET`), else the error's class (`NoHostAvailableError`).
 */
export function codeOf(e: unknown): string | undefined {
  if (e instanceof errors.ResponseError) return NAME_BY_CODE.get(e.code) ?? `0x${e.code.toString(16).padStart(4, '0')}`;
  const errno = (e as { code?: unknown } | null)?.code;
  if (isSocketError(e) && typeof errno === 'string') return errno;
  return e instanceof Error ? e.name : undefined;
}

function isSocketError(e: unknown): boolean {
  return e instanceof Error && (e as { isSocketError?: boolean }).isSocketError === true;
}

/**
 * The message of a native error, on one line. A NoHostAvailableError's own message embeds its first inner
 * error with util.format, stack trace and all (eight lines for one refused connection): it becomes
 * `host: reason` for every host tried.
 */
export function describeCassandraError(e: unknown): string {
  const firstLine = (x: unknown) => (x instanceof Error ? x.message : String(x)).split('\n')[0]!.trim();
  if (e instanceof errors.NoHostAvailableError) {
    const hosts = Object.entries(e.innerErrors ?? {}).map(([host, inner]) => `${host}: ${firstLine(inner)}`);
    return `${e.name}: ${hosts.length > 0 ? `no host could be used (${hosts.join('; ')})` : firstLine(e)}`;
  }
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** The cassandra:// `mapError`: a native error as a StorageError (StorageErrors pass through unchanged). */
export function mapCassandraError(e: unknown, operation: Operation, key: string | undefined): StorageError {
  if (e instanceof StorageError) return e;
  const code = codeOf(e);
  return new StorageError(kindOf(e), 'cassandra', operation, describeCassandraError(e), {
    ...(key !== undefined ? { key } : {}),
    ...(code !== undefined ? { code } : {}),
    cause: e,
  });
}
