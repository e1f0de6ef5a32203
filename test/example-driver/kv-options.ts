/** Every option a `kv://` target may carry; any other is refused before anything connects. */
import { defineOptions, option, secret } from '../../src/drivers/kernel/options.js';

export const KV_OPTIONS = defineOptions({
  /** Indent the stored JSON, so people can read it (the files get bigger). @default false */
  pretty: option.boolean(false),
  /**
   * The store's access token, compared with the `.kv-token` file of its directory when there is one. A secret: it
   * is `***` in every URL stored, printed or served, and scrubbed from error messages. @default none
   */
  token: secret(option.text()),
});
