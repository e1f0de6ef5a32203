import { defineOptions, PLAIN, SECRET } from '../options.js';

/** `webhdfs://` and `swebhdfs://` options; README.md documents each one and its default. */
export const WEBHDFS_OPTIONS = defineOptions({
  user: PLAIN, delegationToken: SECRET, replication: PLAIN, blockSize: PLAIN, bufferSize: PLAIN, overwrite: PLAIN,
  permission: PLAIN, noredirect: PLAIN, gateway: PLAIN, syncBlock: PLAIN, timeoutMs: PLAIN, insecure: PLAIN,
  scanAhead: PLAIN,
});
