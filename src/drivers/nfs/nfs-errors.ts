/**
 * NFS v3 statuses and RPC failures → StorageError kinds.
 */
import { StorageError, type ErrorKind, type Operation } from '../types.js';
import { NFS3ERR, NfsStatusError } from './nfs3.js';
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

/** Turn anything thrown below the driver into a StorageError (a StorageError passes through). */
export function toStorageError(e: unknown, operation: Operation, key?: string): StorageError {
  if (e instanceof StorageError) return e;
  const opts = { ...(key !== undefined ? { key } : {}), cause: e };
  if (e instanceof NfsStatusError) {
    const m = BY_STATUS.get(e.status) ?? { kind: 'Unexpected' as const };
    return new StorageError(m.kind, 'nfs', operation, e.message, { ...opts, ...(m.temporary !== undefined ? { temporary: m.temporary } : {}) });
  }
  if (e instanceof RpcError) return new StorageError(BY_FAILURE[e.failure], 'nfs', operation, e.message, opts);
  if (e instanceof XdrError) return new StorageError('Corrupt', 'nfs', operation, `malformed reply: ${e.message}`, opts);
  return new StorageError('Unexpected', 'nfs', operation, e instanceof Error ? e.message : String(e), opts);
}

/** True when `e` is an NFS status error with one of `statuses`. */
export function hasStatus(e: unknown, ...statuses: number[]): boolean {
  return e instanceof NfsStatusError && statuses.includes(e.status);
}
