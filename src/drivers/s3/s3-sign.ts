/**
 * SigV4 header signing for the lean request path, on node:crypto: the same signature as @smithy/signature-v4
 * (the SDK's signer, kept as the oracle of test/s3/s3-sign.test.ts) for the requests that path sends, without
 * its per-request generality: the SDK's signer clones the request, re-canonicalizes and folds every header,
 * formats the date through a regular expression, and HMACs the credentials once per request only to find its
 * cached signing key. Here the signing key is derived once per day and credentials, the date string once per
 * second, and a request costs three hashes: its payload (when it has a buffer body), its canonical form and the
 * HMAC of the string to sign.
 */
import { createHmac, hash } from 'node:crypto';

/** The SHA-256 of no bytes, which S3 wants as `x-amz-content-sha256` of a request without a body. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** `x-amz-content-sha256` of a body that is streamed, not hashed. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Credentials as the SDK's providers resolve them. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** One request to sign. */
export interface SigningRequest {
  readonly method: string;
  /** The path as sent (already percent-encoded: S3 signs it as is). */
  readonly path: string;
  /** Query parameters, not encoded. */
  readonly query?: Readonly<Record<string, string>> | undefined;
  /**
   * Every header to sign, names in lower case, values without whitespace to fold (`host` included). Signing adds
   * `x-amz-date`, `x-amz-security-token` (with a session token), `x-amz-content-sha256` and `authorization`.
   */
  readonly headers: Record<string, string>;
  /** The hex SHA-256 of the body, EMPTY_SHA256 or UNSIGNED_PAYLOAD. */
  readonly payloadHash: string;
}

/** A SigV4 signer for one region and service. */
export interface Signer {
  /** Add the signing headers to `request.headers`. @throws when the credentials cannot be resolved */
  sign(request: SigningRequest): Promise<void>;
  /** Signing keys derived so far (one per day and credentials, when the cache works). */
  readonly derivedKeys: () => number;
}

/** RFC 3986 percent-encoding of every byte but the unreserved ones (`A-Z a-z 0-9 - . _ ~`), as SigV4 wants. */
export function uriEscape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The hex SHA-256 of `data` (node:crypto's one-shot hash: no hash object per call). */
export const sha256Hex = (data: Uint8Array | string): string => hash('sha256', data, 'hex');

/** SigV4's canonical query string: encoded names and values, sorted by encoded name. */
export function canonicalQuery(query: Readonly<Record<string, string>> | undefined): string {
  if (query === undefined) return '';
  const pairs = Object.entries(query).map(([k, v]) => [uriEscape(k), uriEscape(v)] as const);
  return pairs
    .sort((a, b) => compare(a[0], b[0]))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A signer taking credentials from `credentials` (the SDK client's provider, memoized and refreshed before expiry
 * by the SDK) on every request, and the time from `now` (milliseconds, the SDK's clock offset applied).
 */
export function createSigner(options: {
  readonly credentials: SigningCredentials | (() => Promise<SigningCredentials>);
  readonly region: string;
  readonly service: string;
  readonly now: () => number;
}): Signer {
  const { credentials, region, service, now } = options;
  const provide = typeof credentials === 'function' ? credentials : async () => credentials;
  let derived = 0;
  // The last signing key: valid for one day and one set of credentials.
  let key: { day: string; accessKeyId: string; secret: string; token: string | undefined; value: Buffer; scope: string } | undefined;
  // The last date strings: valid for one second.
  let second = Number.NaN;
  let longDate = '';

  function signingKey(c: SigningCredentials, day: string): { value: Buffer; scope: string } {
    if (key?.day === day && key.accessKeyId === c.accessKeyId && key.secret === c.secretAccessKey && key.token === c.sessionToken) return key;
    derived++;
    let value = createHmac('sha256', `AWS4${c.secretAccessKey}`).update(day).digest();
    for (const part of [region, service, 'aws4_request']) value = createHmac('sha256', value).update(part).digest();
    key = { day, accessKeyId: c.accessKeyId, secret: c.secretAccessKey, token: c.sessionToken, value, scope: `${day}/${region}/${service}/aws4_request` };
    return key;
  }

  return {
    async sign(r) {
      const c = await provide();
      if (typeof c !== 'object' || typeof c.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string') {
        throw new Error('Resolved credential object is not valid'); // the SDK signer's words
      }
      const ms = now();
      if (Math.floor(ms / 1000) !== second) {
        second = Math.floor(ms / 1000);
        const iso = new Date(ms).toISOString(); // 2026-12-01T15:44:23.123Z
        longDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
      }
      const { headers } = r;
      headers['x-amz-date'] = longDate;
      if (c.sessionToken) headers['x-amz-security-token'] = c.sessionToken;
      headers['x-amz-content-sha256'] = r.payloadHash;
      const names = Object.keys(headers).sort();
      let canonicalHeaders = '';
      for (const name of names) canonicalHeaders += `${name}:${headers[name]}\n`;
      const signedHeaders = names.join(';');
      const canonical = `${r.method}\n${r.path}\n${canonicalQuery(r.query)}\n${canonicalHeaders}\n${signedHeaders}\n${r.payloadHash}`;
      const k = signingKey(c, longDate.slice(0, 8));
      const signature = createHmac('sha256', k.value)
        .update(`AWS4-HMAC-SHA256\n${longDate}\n${k.scope}\n${sha256Hex(canonical)}`)
        .digest('hex');
      headers.authorization = `AWS4-HMAC-SHA256 Credential=${c.accessKeyId}/${k.scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    },
    derivedKeys: () => derived,
  };
}
