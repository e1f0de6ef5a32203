import { defineOptions, PLAIN } from '../options.js';

/** `cassandra://` options; README.md documents each one and its default. Credentials go in the URL's user:password. */
export const CASSANDRA_OPTIONS = defineOptions({
  table: PLAIN, dc: PLAIN, consistency: PLAIN, readConsistency: PLAIN, writeConsistency: PLAIN, create: PLAIN,
  replicationFactor: PLAIN, chunkSize: PLAIN, chunksPerPartition: PLAIN, writeWindow: PLAIN, retries: PLAIN,
  speculativeDelay: PLAIN, speculativeMax: PLAIN, connections: PLAIN, timeout: PLAIN, scan: PLAIN, scanParallelism: PLAIN,
});
