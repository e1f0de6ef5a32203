/**
 * Target URLs: `scheme://[user[:password]@]host[:port]/path?option=value`.
 * Secrets (a URL password, or options whose name says key/secret/token/password) are kept apart from
 * everything that is stored or printed: `redacted` is the only form that leaves the process.
 */
import { UsageError } from '../errors.js';
import { parseSize, parseWholeNumber } from '../workloads/size.js';

const SECRET_OPTION = /(secret|password|passwd|token|credential|access.?key|session)/i;

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
  if (!m) throw new UsageError(`target: "${redactString(url)}" is not a URL of the form scheme://host/path`);
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
  const options: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery ?? '')) options[k] = v;
  Object.assign(options, extraOptions);

  const secrets: string[] = [];
  if (password) secrets.push(password);
  const shownQuery: string[] = [];
  for (const [k, v] of Object.entries(options)) {
    const secret = SECRET_OPTION.test(k) || secretOptions.includes(k);
    if (secret && v) secrets.push(v);
    shownQuery.push(`${encodeURIComponent(k)}=${secret ? '***' : encodeURIComponent(v)}`);
  }
  const shownUser = username !== undefined ? `${encodeURIComponent(username)}${password !== undefined ? ':***' : ''}@` : '';
  const redacted = `${scheme}://${shownUser}${authority}${rawPath.replace(/\/+$/, '')}${shownQuery.length ? `?${shownQuery.join('&')}` : ''}`;
  return {
    scheme, hosts, path, options, name: name ?? redacted, redacted, secrets,
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

/** Redact secrets inside free text that may contain a URL (error messages, raw input). */
export function redactString(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/(\/\/[^/:@\s]*:)[^@\s/]+@/g, '$1***@');
  out = out.replace(/([?&][^=&\s]*(?:secret|password|passwd|token|credential|access.?key|session)[^=&\s]*=)[^&\s]*/gi, '$1***');
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** Read a boolean option (`true/false/1/0/yes/no`), naming the option when the value is wrong. */
export function boolOption(target: Target, name: string, fallback: boolean): boolean {
  const v = target.options[name];
  if (v === undefined || v === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new UsageError(`target option ${name}: expected true or false, got "${v}"`);
}

/** Read an integer option within bounds, naming the option when the value is wrong. */
export function intOption(target: Target, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = target.options[name];
  if (v === undefined || v === '') return fallback;
  const n = parseWholeNumber(v); // decimal digits only: Number() would take 0x10, 1e3 and ' 16 '
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`target option ${name}: expected a whole number from ${min} to ${max}, got "${v}"`);
  }
  return n;
}

/** Read a size option (`4KiB`, `1MiB`, `512`), naming the option when the value is wrong. */
export function sizeOption(target: Target, name: string, fallback: number): number {
  const v = target.options[name];
  if (v === undefined || v === '') return fallback;
  return parseSize(v, `target option ${name}`);
}
