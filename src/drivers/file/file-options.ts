import { defineOptions, PLAIN } from '../options.js';

/** `file://` options; README.md documents each one and its default. */
export const FILE_OPTIONS = defineOptions({
  profile: PLAIN, fanout: PLAIN, fanoutWidth: PLAIN, fsync: PLAIN, direct: PLAIN, io: PLAIN, readChunk: PLAIN,
  stripeCount: PLAIN, stripeSize: PLAIN,
});
