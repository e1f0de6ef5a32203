/**
 * S3 error mapping: SDK v3 service exceptions (and the lean path's S3 error responses, in the same shape: see
 * s3-lean.ts), HTTP statuses, Node socket errors and undici's errors → StorageError kinds.
 * Works for AWS S3, Ceph RGW and MinIO, which share the S3 error codes.
 */
import { type ErrorKind, type Operation, StorageError } from '../types.js';

/** The fields of an SDK v3 error (ServiceException, TimeoutError, a Node socket error) that we look at. */
interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $retryable?: { throttling?: boolean };
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchUpload']);
const RATE_LIMITED = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'ProvisionedThroughputExceededException',
]);
const PERMISSION = new Set([
  'AccessDenied',
  'Forbidden',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AllAccessDisabled',
  'AccountProblem',
  'InvalidToken',
  'ExpiredToken',
  'CredentialsProviderError',
  'UserSuspended',
]);
/** RequestTimeTooSkewed is the client's clock: retrying does not help, fixing the input (the clock) does. */
const INVALID = new Set([
  'RequestTimeTooSkewed',
  'InvalidArgument',
  'InvalidRange',
  'InvalidBucketName',
  'KeyTooLongError',
  'EntityTooLarge',
  'EntityTooSmall',
  'InvalidPart',
  'InvalidPartOrder',
  'MalformedXML',
  'InvalidRequest',
  'MissingContentLength',
  'InvalidDigest',
  'BadDigest',
  'IncompleteBody',
]);
/** The SDK's TimeoutError, S3's RequestTimeout, Node's codes, and undici's connect, headers and body timeouts. */
const TIMEOUT = new Set(['TimeoutError', 'RequestTimeout', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ConnectTimeoutError', 'HeadersTimeoutError', 'BodyTimeoutError']);
/** The endpoint went away or cannot be reached (radosgw killed, restarted, overloaded accept queue). */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'InternalError',
  'ServiceFailure',
]);

/**
 * Names that carry no code: a plain Error, and the SDK's `Unknown` for an error response without one (a HEAD
 * answered 403 has no body), which both request paths then call `HTTP <status>`.
 */
const NO_CODE = new Set(['Error', 'Unknown']);

/** The S3 error code, the HTTP status and the Node error code of `e`, when it carries them. */
function describe(e: SdkErrorShape): { code: string | undefined; status: number | undefined } {
  const status = e.$metadata?.httpStatusCode;
  const code = e.Code ?? (e.name && !NO_CODE.has(e.name) ? e.name : undefined) ?? e.code ?? (status ? `HTTP ${status}` : undefined);
  return { code, status };
}

function kindOf(code: string | undefined, status: number | undefined, e: SdkErrorShape): ErrorKind {
  // The SDK's http handler renames ECONNRESET and EPIPE errors "TimeoutError" (to make them retryable): a reset
  // connection is a peer that went away, so the Node code decides before the name.
  if (e.code !== undefined && UNAVAILABLE.has(e.code)) return 'Unavailable';
  if (code !== undefined) {
    if (NOT_FOUND.has(code)) return 'NotFound';
    if (RATE_LIMITED.has(code)) return 'RateLimited';
  }
  if (e.$retryable?.throttling || status === 429 || status === 503) return 'RateLimited';
  if (code !== undefined) {
    if (PERMISSION.has(code)) return 'PermissionDenied';
    if (INVALID.has(code)) return 'InvalidInput';
    if (TIMEOUT.has(code)) return 'Timeout';
  }
  if (e.code !== undefined && TIMEOUT.has(e.code)) return 'Timeout';
  if (code !== undefined && UNAVAILABLE.has(code)) return 'Unavailable';
  // Node's own socket errors, when they reach us without a code (the SDK rewraps some).
  if (/socket hang up|premature close|ECONNRESET|ECONNREFUSED/i.test(e.message ?? '')) return 'Unavailable';
  if (status === 404) return 'NotFound';
  if (status === 401 || status === 403) return 'PermissionDenied';
  if (status === 408) return 'Timeout';
  if (status !== undefined && status >= 500) return 'Unavailable';
  if (status !== undefined && status >= 400) return 'InvalidInput';
  return 'Unexpected';
}

/**
 * Map anything an S3 call threw to a StorageError (a StorageError passes through unchanged), the driver's
 * `mapError`. `code` is the S3 error code (`NoSuchKey`, `InvalidRange`, `SlowDown`), else the Node error code
 * (`ECONNREFUSED`), else `HTTP <status>`; the message names the code and the HTTP status. The kernel scrubs the
 * target's secrets from it.
 */
export function mapS3Error(e: unknown, operation: Operation, key: string | undefined): StorageError {
  if (e instanceof StorageError) return e;
  const shape = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as SdkErrorShape;
  const { code, status } = describe(shape);
  const kind = kindOf(code, status, shape);
  const shown = code ?? 'Error';
  const detail = shape.message && shape.message !== shown ? `: ${shape.message}` : '';
  // When the Node code decided the kind (a reset renamed TimeoutError), it is the native code.
  const native = shape.code !== undefined && UNAVAILABLE.has(shape.code) ? shape.code : code;
  return new StorageError(kind, 's3', operation, `${shown}${status && shown !== `HTTP ${status}` ? ` (HTTP ${status})` : ''}${detail}`, {
    cause: e,
    ...(key !== undefined ? { key } : {}),
    ...(native !== undefined ? { code: native } : {}),
  });
}

/** Attempts the SDK made for a call that succeeded or failed (1 when it made no retry or did not say). */
export function attemptsOf(x: unknown): number {
  const attempts = (x as SdkErrorShape | undefined)?.$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 0 ? attempts : 1;
}

/** The HTTP status of the response behind a mapped error, when there was one. */
export function httpStatusOf(e: StorageError): number | undefined {
  return (e.cause as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}
