/** Maps Node's errno codes (`err.code`) from node:fs to StorageError kinds, keeping the errno as `code`. */
import { type ErrorKind, type Operation, StorageError } from '../types.js';

interface Mapped {
  readonly kind: ErrorKind;
  readonly temporary?: boolean;
  readonly why: string;
}

/**
 * errno → kind. `temporary` is set only where it differs from the kind's default (Timeout and
 * Unavailable are temporary by default): a full disk will not empty itself on retry.
 */
const ERRNO: Readonly<Record<string, Mapped>> = {
  ENOENT: { kind: 'NotFound', why: 'no such object' },
  // A key whose parent "directory" is a file (key `a` exists, `a/b` asked for) is simply missing.
  ENOTDIR: { kind: 'NotFound', why: 'no such object (a parent is not a directory)' },
  EACCES: { kind: 'PermissionDenied', why: 'permission denied' },
  EPERM: { kind: 'PermissionDenied', why: 'operation not permitted' },
  EROFS: { kind: 'PermissionDenied', why: 'read-only file system' },
  // O_NOFOLLOW on a symlink: the driver never follows a symlink in the last path component.
  ELOOP: { kind: 'InvalidInput', why: 'the key is a symbolic link, which this driver does not follow' },
  ENAMETOOLONG: { kind: 'InvalidInput', why: 'name too long for the file system' },
  EISDIR: { kind: 'InvalidInput', why: 'the key names a directory (it is also a prefix of other keys)' },
  EINVAL: { kind: 'InvalidInput', why: 'invalid argument (O_DIRECT alignment or a name the file system refuses)' },
  EEXIST: { kind: 'Unexpected', why: 'already exists' },
  ENOTEMPTY: { kind: 'Unexpected', why: 'directory not empty' },
  EFBIG: { kind: 'InvalidInput', why: 'file too large for the file system' },
  ENOSPC: { kind: 'Unavailable', temporary: false, why: 'no space left on device' },
  EDQUOT: { kind: 'Unavailable', temporary: false, why: 'disk quota exceeded' },
  ETIMEDOUT: { kind: 'Timeout', why: 'timed out' },
  EAGAIN: { kind: 'Unavailable', why: 'resource temporarily unavailable' },
  EBUSY: { kind: 'Unavailable', why: 'device or resource busy' },
  EINTR: { kind: 'Unavailable', why: 'interrupted' },
  EMFILE: { kind: 'Unavailable', why: 'too many open files in this process' },
  ENFILE: { kind: 'Unavailable', why: 'too many open files on this host' },
  // Network file systems: a stale handle (NFS), a FUSE daemon that went away (GlusterFS), a dead server.
  ESTALE: { kind: 'Unavailable', why: 'stale file handle' },
  ENOTCONN: { kind: 'Unavailable', why: 'transport endpoint is not connected (FUSE daemon gone?)' },
  ECONNREFUSED: { kind: 'Unavailable', why: 'connection refused' },
  EHOSTDOWN: { kind: 'Unavailable', why: 'host is down' },
  EIO: { kind: 'Unavailable', temporary: false, why: 'I/O error' },
  ENOTSUP: { kind: 'Unsupported', why: 'operation not supported by this file system' },
  EOPNOTSUPP: { kind: 'Unsupported', why: 'operation not supported by this file system' },
  ENOSYS: { kind: 'Unsupported', why: 'not implemented by this file system' },
};

/**
 * The file driver's `mapError`: whatever node:fs threw, as a StorageError whose `code` is the errno (`ENOENT`).
 * A StorageError passes through unchanged.
 */
export function mapFileError(e: unknown, operation: Operation, key: string | undefined): StorageError {
  if (e instanceof StorageError) return e;
  const code = errnoOf(e);
  const mapped = code === undefined ? undefined : ERRNO[code];
  const options = { cause: e, ...(key !== undefined ? { key } : {}), ...(code !== undefined ? { code } : {}) };
  if (!mapped) {
    return new StorageError('Unexpected', 'file', operation, `${code || 'error'}: ${e instanceof Error ? e.message : String(e)}`, options);
  }
  return new StorageError(mapped.kind, 'file', operation, `${mapped.why} (${code})`, {
    ...options,
    ...(mapped.temporary !== undefined ? { temporary: mapped.temporary } : {}),
  });
}

/** The errno code of a node:fs error (or of a StorageError mapped from one), or `undefined`. */
export function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && e.code !== undefined ? String(e.code) : undefined;
}

/** True for the errors that mean "no such file here" (missing, or a parent that is a file). */
export function isMissing(e: unknown): boolean {
  const code = errnoOf(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
