import { defineOptions, option, secret } from '../kernel/options.js';

/** An octal permission as WebHDFS takes it: `755`, `0640`, `1777`. */
const OCTAL = /^[0-1]?[0-7]{3}$/;

/** `webhdfs://` and `swebhdfs://` options (README.md shows them with what they do on the wire). */
export const WEBHDFS_OPTIONS = defineOptions({
  /**
   * `user.name` sent with every call (simple authentication); ignored with a delegation token, which names the user.
   * @default the URL's user, else the OS user
   */
  user: option.text(),
  /**
   * A delegation token, sent as `delegation=` instead of `user.name`. `delegation=` itself is refused (an unknown
   * option) so that a token cannot be stored in clear.
   * @default none
   */
  delegationToken: secret(option.text()),
  /** Replicas of each file written (CREATE `replication=`). @default the server's dfs.replication */
  replication: option.integer(undefined, 1, 512),
  /** Block size of each file written (CREATE `blocksize=`), e.g. `64MiB`. @default the server's dfs.blocksize */
  blockSize: option.size(undefined),
  /** `buffersize=` of CREATE, APPEND and OPEN (the DataNode's stream buffer). @default the server's */
  bufferSize: option.size(undefined),
  /** CREATE replaces an existing file; with `false`, writing an existing key fails (InvalidInput). @default true */
  overwrite: option.boolean(true),
  /** Octal permission of the files and directories created, e.g. `640`. @default the server's umask */
  permission: option.text().superRefine((value, ctx) => {
    if (value !== undefined && !OCTAL.test(value)) ctx.addIssue({ code: 'custom', message: `"${value}" is not octal like 755` });
  }),
  /** Ask the NameNode for `200 {"Location": ...}` instead of a 307 redirect (proxies that eat redirects). @default false */
  noredirect: option.boolean(false),
  /** `httpfs`: an HttpFS gateway; the bytes go through it (`data=true`), no DataNode redirect. @default none */
  gateway: option.text('none').superRefine((value, ctx) => {
    if (value !== 'none' && value !== 'httpfs') ctx.addIssue({ code: 'custom', message: `"${value}" is not httpfs or none` });
  }),
  /** CREATE with `createflag=SYNC_BLOCK`: the DataNodes fsync each block when it is closed. @default true when the run asks for durable writes, else false */
  syncBlock: option.boolean(undefined),
  /** Milliseconds to wait for response headers, and between two chunks of a body. @default 120000 */
  timeoutMs: option.integer(120_000, 1000),
  /** With `swebhdfs://`, accept any TLS certificate (self-signed test clusters). @default false */
  insecure: option.boolean(false),
  /** Objects a scan opens ahead of the one being consumed (0: one at a time). @default 4 */
  scanAhead: option.integer(4, 0, 64),
});
