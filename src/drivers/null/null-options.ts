import { defineOptions, PLAIN, SECRET } from '../options.js';

/**
 * `null://` options: `readSize`, the bytes every read returns (default 0), and `token`, a stand-in credential
 * that nothing reads: it lets secret handling (redaction in the database, logs, API and schedules) be tested end
 * to end against the harness, without a server.
 */
export const NULL_OPTIONS = defineOptions({ readSize: PLAIN, token: SECRET });
