/**
 * Maps cassandra-driver errors to {@link StorageError} kinds:
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
 * Messages are scrubbed of the target's secrets (a password can appear in an authentication error).
 */
import cassandra from 'cassandra-driver';
import { redactString } from '../target.js';
import { StorageError, type ErrorKind, type Operation } from '../types.js';

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

/** The kind of one native error (exported for tests and for the NoHostAvailable inner errors). */
export function kindOf(e: unknown): ErrorKind {
  if (e instanceof StorageError) return e.kind;
  if (e instanceof errors.ResponseError) return KIND_BY_CODE.get(e.code) ?? 'Unexpected';
  if (e instanceof errors.OperationTimedOutError) return 'Timeout';
  if (e instanceof errors.AuthenticationError) return 'PermissionDenied';
  if (e instanceof errors.ArgumentError) return 'InvalidInput';
  if (e instanceof errors.BusyConnectionError) return 'RateLimited';
  // The driver flags errors of a broken connection (ECONNRESET, "Socket was closed") with isSocketError.
  if (e instanceof Error && (e as { isSocketError?: boolean }).isSocketError) return 'Unavailable';
  if (e instanceof errors.NoHostAvailableError) {
    const inner = Object.values(e.innerErrors ?? {});
    return inner.length > 0 && inner.every((x) => kindOf(x) === 'PermissionDenied') ? 'PermissionDenied' : 'Unavailable';
  }
  return 'Unexpected';
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

/** Wrap a native error (already-mapped StorageErrors pass through unchanged). */
export function mapCassandraError(
  e: unknown, operation: Operation, key: string | undefined, secrets: readonly string[],
): StorageError {
  if (e instanceof StorageError) return e;
  const kind = kindOf(e);
  return new StorageError(kind, 'cassandra', operation, redactString(describeCassandraError(e), secrets), {
    ...(key !== undefined ? { key } : {}),
    cause: e,
  });
}
