import { defineOptions, PLAIN, SECRET } from '../options.js';

/** `s3://` options; README.md documents each one and its default. */
export const S3_OPTIONS = defineOptions({
  endpoint: PLAIN, region: PLAIN, pathStyle: PLAIN,
  accessKeyId: SECRET, secretAccessKey: SECRET, sessionToken: SECRET,
  profile: PLAIN, credentialsFile: PLAIN,
  retries: PLAIN, multipartThreshold: PLAIN, partSize: PLAIN, partConcurrency: PLAIN, checksum: PLAIN,
  createBucket: PLAIN, connectTimeoutMs: PLAIN, socketTimeoutMs: PLAIN,
});
