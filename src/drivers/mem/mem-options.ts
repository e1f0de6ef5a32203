import { defineOptions } from '../kernel/options.js';

/** `mem://` takes no options of its own (only the layer options every driver has). */
export const MEM_OPTIONS = defineOptions({});
