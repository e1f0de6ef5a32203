/** `s3://BUCKET[/PREFIX]?...` options (README.md beside this file shows how each is used). */
import { defineOptions, option, secret } from '../kernel/options.js';

const MiB = 1024 * 1024;
/** S3's smallest part (all but the last). */
export const MIN_PART_SIZE = 5 * MiB;

export const S3_OPTIONS = defineOptions({
  /**
   * The request path of PutObject (single PUT), UploadPart, GetObject, HeadObject and DeleteObject: `lean` sends
   * them over undici, signed by the SDK's own SigV4 signer; `sdk` sends every call through @aws-sdk/client-s3.
   * Control-plane calls (bucket, listing, batch delete, multipart create/complete/abort) always use the SDK.
   * @default lean
   */
  client: option.choice(['lean', 'sdk'], 'lean'),
  /** `http(s)://host[:port]` of an S3-compatible server (Ceph RGW, MinIO). @default none: AWS S3 in `region` */
  endpoint: option.text().superRefine((endpoint, ctx) => {
    if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
      ctx.addIssue({ code: 'custom', message: `expected http(s)://host[:port], got "${endpoint}"` });
    }
  }),
  /** The signing region. @default `$AWS_REGION`, else `$AWS_DEFAULT_REGION`, else `us-east-1` */
  region: option.text(),
  /** Path-style (`host/bucket/key`) rather than virtual-host (`bucket.host/key`) addressing. @default true with an endpoint, false on AWS */
  pathStyle: option.boolean(undefined),
  /** Static credentials, with {@link S3_OPTIONS.shape.secretAccessKey}. @default none: a profile, else the AWS chain */
  accessKeyId: secret(option.text()),
  /** Static credentials, with {@link S3_OPTIONS.shape.accessKeyId}. @default none */
  secretAccessKey: secret(option.text()),
  /** A session token for temporary static credentials. @default none */
  sessionToken: secret(option.text()),
  /** A profile of an AWS shared-credentials file. @default none (`default` when only `credentialsFile` is given) */
  profile: option.text(),
  /** The shared-credentials file to read `profile` from (the ceph service writes one). @default `~/.aws/credentials` */
  credentialsFile: option.text(),
  /**
   * Retries of a request after its first attempt, with the SDK's standard strategy (backoff, retry quota) on both
   * request paths; off so a benchmark sees every failure. @default 0
   */
  retries: option.integer(0, 0, 20),
  /** Objects of known size larger than this are uploaded in parts. @default 64MiB */
  multipartThreshold: option.size(64 * MiB),
  /** Part size, at least 5MiB; raised when 10,000 parts would not hold a known-size object. @default 8MiB */
  partSize: option.size(8 * MiB).superRefine((bytes, ctx) => {
    if (bytes < MIN_PART_SIZE) ctx.addIssue({ code: 'custom', message: `S3 parts are at least 5MiB, got ${bytes} bytes` });
  }),
  /** Parts of one object in flight. @default 4 */
  partConcurrency: option.integer(4, 1, 64),
  /** The SDK's request checksum calculation and response validation. @default when_required */
  checksum: option.choice(['when_required', 'when_supported'], 'when_required'),
  /** Create the bucket when the driver opens and it is missing. @default false */
  createBucket: option.boolean(false),
  /** TCP connect limit, in milliseconds. @default 5000 */
  connectTimeoutMs: option.integer(5000, 1),
  /** A request (or a read body) whose socket is idle this long fails with Timeout, in milliseconds. @default 60000 */
  socketTimeoutMs: option.integer(60_000, 1),
});
