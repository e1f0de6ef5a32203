/** What the file system threw, as a StorageError that keeps the errno in `code`. */
import { type ErrorKind, type Operation, StorageError } from '../../src/drivers/types.js';

const KINDS: Readonly<Record<string, ErrorKind>> = {
  ENOENT: 'NotFound',
  EACCES: 'PermissionDenied',
  EPERM: 'PermissionDenied',
  ENOSPC: 'Unavailable',
  ENAMETOOLONG: 'InvalidInput',
};

export function kvError(e: unknown, operation: Operation, key: string | undefined): StorageError {
  const code = (e as { code?: unknown }).code;
  const at = key !== undefined ? { key } : {};
  if (e instanceof SyntaxError) return new StorageError('Corrupt', 'kv', operation, `not a kv record: ${e.message}`, { ...at, code: 'EJSON' });
  const kind = typeof code === 'string' ? (KINDS[code] ?? 'Unexpected') : 'Unexpected';
  return new StorageError(kind, 'kv', operation, e instanceof Error ? e.message : String(e), { ...at, ...(typeof code === 'string' ? { code } : {}) });
}
