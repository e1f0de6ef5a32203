import { defineOptions } from '../options.js';

/** `mem://` takes no options. */
export const MEM_OPTIONS = defineOptions({});
