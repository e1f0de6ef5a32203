/**
 * NFS v3 statuses and RPC failures → StorageError kinds: the `mapError` of nfs://. `code` is the status's name
 * (`NFS3ERR_NOENT`), or the socket's errno (`ECONNREFUSED`) for a connection that failed.
 */
import { type ErrorKind, type Operation, StorageError } from '../types.js';
import { NFS3ERR, NfsStatusError, statusName } from './nfs3.js';
import { RpcError, type RpcFailure } from './rpc.js';
import { XdrError } from './xdr.js';

const BY_STATUS = new Map<number, { kind: ErrorKind; temporary?: boolean }>([
  [NFS3ERR.NOENT, { kind: 'NotFound' }],
  // the object (or a directory on its path) was removed since its handle was looked up
  [NFS3ERR.STALE, { kind: 'NotFound' }],
  [NFS3ERR.PERM, { kind: 'PermissionDenied' }],
  [NFS3ERR.ACCES, { kind: 'PermissionDenied' }],
  [NFS3ERR.ROFS, { kind: 'PermissionDenied' }],
  // "try again later": the server is busy (HSM recall, grace period after a restart)
  [NFS3ERR.JUKEBOX, { kind: 'Unavailable', temporary: true }],
  [NFS3ERR.NAMETOOLONG, { kind: 'InvalidInput' }],
  [NFS3ERR.INVAL, { kind: 'InvalidInput' }],
  [NFS3ERR.EXIST, { kind: 'InvalidInput' }],
  // a key that is a directory on the server, or a directory in the key's path that is a file
  [NFS3ERR.ISDIR, { kind: 'InvalidInput' }],
  [NFS3ERR.NOTDIR, { kind: 'InvalidInput' }],
  [NFS3ERR.FBIG, { kind: 'InvalidInput' }],
  [NFS3ERR.NOTSUPP, { kind: 'Unsupported' }],
  [NFS3ERR.XDEV, { kind: 'Unsupported' }],
  [NFS3ERR.NODEV, { kind: 'Unsupported' }],
  [NFS3ERR.BADTYPE, { kind: 'Unsupported' }],
  [NFS3ERR.NOSPC, { kind: 'Unavailable', temporary: false }],
  [NFS3ERR.DQUOT, { kind: 'Unavailable', temporary: false }],
  [NFS3ERR.IO, { kind: 'Unexpected' }],
  [NFS3ERR.SERVERFAULT, { kind: 'Unexpected' }],
  [NFS3ERR.BAD_COOKIE, { kind: 'Unexpected', temporary: true }],
  [NFS3ERR.BADHANDLE, { kind: 'Unexpected' }],
]);

const BY_FAILURE: Record<RpcFailure, ErrorKind> = {
  timeout: 'Timeout',
  connect: 'Unavailable',
  closed: 'Unavailable',
  'prog-unavail': 'Unsupported',
  auth: 'PermissionDenied',
  garbage: 'Corrupt',
  system: 'Unexpected',
};

/** Map anything the NFS client threw to a StorageError (the kernel passes StorageErrors and aborts by). */
export function mapNfsError(e: unknown, operation: Operation, key: string | undefined): StorageError {
  if (e instanceof StorageError) return e;
  const errno = errnoOf(e instanceof RpcError ? e.cause : e);
  const at = { ...(key !== undefined ? { key } : {}), ...(errno ? { code: errno } : {}), cause: e };
  if (e instanceof NfsStatusError) {
    const m = BY_STATUS.get(e.status) ?? { kind: 'Unexpected' as const };
    return new StorageError(m.kind, 'nfs', operation, e.message, {
      ...at,
      code: statusName(e.status),
      ...(m.temporary !== undefined ? { temporary: m.temporary } : {}),
    });
  }
  if (e instanceof RpcError) return new StorageError(BY_FAILURE[e.failure], 'nfs', operation, e.message, at);
  if (e instanceof XdrError) return new StorageError('Corrupt', 'nfs', operation, `malformed reply: ${e.message}`, at);
  return new StorageError('Unexpected', 'nfs', operation, e instanceof Error ? e.message : String(e), at);
}

/** The errno (`ECONNREFUSED`) of a failed socket call, if `e` is one. */
function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** True when `e` is an NFS status error with one of `statuses`. */
export function hasStatus(e: unknown, ...statuses: number[]): boolean {
  return e instanceof NfsStatusError && statuses.includes(e.status);
}
