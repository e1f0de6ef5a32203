// Worker threads start without the parent's TypeScript loader: register tsx, then load the real entry.
import { register } from 'tsx/esm/api';

register();
// not awaited: no top-level await in a thread's modules (see thread-entry.ts)
import('./thread-entry.ts');
