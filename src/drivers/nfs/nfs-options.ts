import { defineOptions, PLAIN } from '../options.js';

/** `nfs://` options; README.md documents each one and its default. AUTH_SYS carries no secret. */
export const NFS_OPTIONS = defineOptions({
  export: PLAIN, nfsport: PLAIN, mountport: PLAIN, portmapport: PLAIN, uid: PLAIN, gid: PLAIN, connections: PLAIN,
  timeout: PLAIN, rsize: PLAIN, wsize: PLAIN, depth: PLAIN, atomic: PLAIN, commit: PLAIN, filesync: PLAIN, mode: PLAIN,
  privport: PLAIN,
});
