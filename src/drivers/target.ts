/**
 * Target URLs: `scheme://[user[:password]@]host[:port]/path?option=value`.
 * Secrets are kept apart from everything that is stored or printed: `redacted` is the only form that leaves the
 * process. A value is a secret because its driver declares the option secret (src/drivers/<name>/*-options.ts),
 * because it came from the environment, or because it is a URL password; an option the driver does not declare
 * is refused, and a value nothing can classify (an unknown scheme's options) is redacted.
 */
import { UsageError } from '../errors.js';
import { parseOptions } from './kernel/options.js';
import { declaredOptions } from './registry.js';

/**
 * Option names that look like credentials. Only a fallback for free text that did not come from a parsed
 * target (an SDK's message quoting a URL); parsed targets are redacted by their drivers' declarations.
 */
const SECRET_LOOKING = 'secret|password|passwd|pwd|pass|token|credential|key|session|sig|sas|auth|bearer|signature';
const SECRET_LOOKING_PARAM = new RegExp(`([?&][^=&\\s]*(?:${SECRET_LOOKING})[^=&\\s]*=)[^&\\s]*`, 'gi');

export interface Target {
  /** The scheme without `:` (`s3`, `webhdfs`...). */
  readonly scheme: string;
  /** Comma-separated hosts are kept as written (`nn1:9870,nn2:9870`). */
  readonly hosts: readonly string[];
  /** Path after the authority, decoded, without trailing slash (`/data/bench`), `''` when none. */
  readonly path: string;
  /** Query options, secrets included; never store or print this. */
  readonly options: Readonly<Record<string, string>>;
  readonly username?: string;
  /** URL password, never printed. */
  readonly password?: string;
  /** A user-chosen name from the targets file, or the redacted URL. */
  readonly name: string;
  /** The URL with every secret replaced by `***`: the only form stored, logged or shown. */
  readonly redacted: string;
  /** Values of secrets, for scrubbing error messages before they are stored. */
  readonly secrets: readonly string[];
}

/**
 * Parse a target URL. `extraOptions` (from a targets file) are merged over the query string;
 * `secretOptions` names options that are secrets whatever their name (values read from the environment).
 * @throws UsageError naming what is wrong.
 */
export function parseTarget(url: string, extraOptions: Record<string, string> = {}, name?: string, secretOptions: readonly string[] = []): Target {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/i.exec(url.trim());
  if (!m) throw new UsageError(`target: "${redactUrlText(url)}" is not a URL of the form scheme://host/path`);
  const [, rawScheme, rawAuthority, rawPath, rawQuery] = m as unknown as [string, string, string, string, string | undefined];
  const scheme = rawScheme.toLowerCase();
  let authority = rawAuthority;
  let username: string | undefined;
  let password: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(':');
    username = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'user');
    if (colon >= 0) password = decode(userinfo.slice(colon + 1), 'password');
  }
  const hosts = authority === '' ? [] : authority.split(',').map((h) => decode(h, 'host'));
  const path = decode(rawPath, 'path').replace(/\/+$/, '');
  // Checked once decoded: `b%2F..%2F..%2Fx` is `b/../../x`, and `.`/`..` would move the root of every driver.
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new UsageError(`target: the path "${rawPath}" has a "." or ".." segment once decoded; give the path it stands for`);
  }
  const options: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery ?? '')) options[k] = v;
  Object.assign(options, extraOptions);

  const declared = declaredOptions(scheme);
  const secrets: string[] = [];
  if (password) secrets.push(password);
  const shownQuery: string[] = [];
  for (const [k, v] of Object.entries(options)) {
    const secret = isSecretOption(scheme, k) || secretOptions.includes(k);
    if (secret && v) secrets.push(v);
    shownQuery.push(`${encodeURIComponent(k)}=${secret ? '***' : encodeURIComponent(v)}`);
  }
  const shownUser = username !== undefined ? `${encodeURIComponent(username)}${password !== undefined ? ':***' : ''}@` : '';
  const redacted = `${scheme}://${shownUser}${authority}${rawPath.replace(/\/+$/, '')}${shownQuery.length ? `?${shownQuery.join('&')}` : ''}`;
  if (declared) parseOptions(declared.schema, options, { scheme, redacted });
  return {
    scheme,
    hosts,
    path,
    options,
    name: name ?? redacted,
    redacted,
    secrets,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

function decode(s: string, field: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new UsageError(`target: the ${field} part "${s}" is not valid percent-encoding`);
  }
}

/**
 * Redact secrets inside free text (error messages): the given secret values (a target's `secrets`), URL
 * passwords, and, as a fallback for text that quotes a URL the target did not produce, credential-looking
 * query parameters.
 */
export function redactString(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/(\/\/[^/:@\s]*:)[^@\s/]+@/g, '$1***@');
  out = out.replace(SECRET_LOOKING_PARAM, '$1***');
  // longest first: a secret that contains another is replaced whole
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** Raw input that is not a parsed target (it failed to parse): nothing classifies it, so it is shown only up to its first `?`, `=` or `@`. */
function redactUrlText(text: string): string {
  const cut = text.search(/[?=@]/);
  return cut < 0 ? text : `${text.slice(0, cut)}…`;
}

/**
 * True when `scheme`'s driver declares `option` secret, or cannot say (an unknown scheme or option: nothing
 * says it is harmless).
 */
export function isSecretOption(scheme: string, option: string): boolean {
  const declared = declaredOptions(scheme);
  return !declared?.names.includes(option) || declared.secret.has(option);
}
