/**
 * What a driver declares about the options its target URLs may carry. The declaration, not the option's name,
 * says whether a value is a secret: redaction is derived from it, and an option a driver does not declare is
 * refused (its value, which nothing can classify, is redacted in the refusal and everywhere else).
 * What each option does and its default are documented in the driver's README.md.
 */

/** One declared option. */
export interface OptionSpec {
  /** Its value is a credential: shown as `***` wherever the target is stored, logged or served. */
  readonly secret: boolean;
}

/** Every option a driver accepts, by name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** An option whose value may be stored and shown. */
export const PLAIN: OptionSpec = Object.freeze({ secret: false });
/** An option whose value is a credential. */
export const SECRET: OptionSpec = Object.freeze({ secret: true });

/** Declare a driver's options (kept as written, frozen). */
export function defineOptions<const T extends Record<string, OptionSpec>>(specs: T): Readonly<T> {
  return Object.freeze({ ...specs });
}
