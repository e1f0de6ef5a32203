/** Capabilities start from documented defaults: a driver states only where it differs, and a new flag edits one place. */
import type { Capabilities } from '../types.js';

/**
 * What a driver can do unless it says otherwise: the common case of a persistent store that lists, scans and
 * range-reads whole objects it is given in one piece, of any size. Appending, renaming, positional writes,
 * writes of unknown length and multipart uploads are things a system must say it offers.
 */
export const DEFAULT_CAPABILITIES: Capabilities = Object.freeze({
  rangeRead: true,
  append: false,
  rename: false,
  list: true,
  scan: true,
  unknownLengthWrite: false,
  multipart: false,
  maxObjectSize: Number.MAX_SAFE_INTEGER,
  persistent: true,
  positionalWrite: false,
  keyAndPrefixCoexist: true,
});

/** A driver's capabilities: {@link DEFAULT_CAPABILITIES} with `differences` over them, frozen. */
export function defineCapabilities(differences: Partial<Capabilities> = {}): Capabilities {
  return Object.freeze({ ...DEFAULT_CAPABILITIES, ...differences });
}
