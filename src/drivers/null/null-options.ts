import { defineOptions, option, secret } from '../kernel/options.js';

/** `null://` options. */
export const NULL_OPTIONS = defineOptions({
  /** The bytes every read returns. @default 0 */
  readSize: option.size(0),
  /**
   * A stand-in credential that nothing reads: it lets secret handling (redaction in the database, logs, API and
   * schedules) be tested end to end against the harness, without a server.
   */
  token: secret(option.text()),
});
