/** HTTP errors with stable codes, and the formatting of schema validation failures. */
import type { FastifyError } from 'fastify';

export type HttpErrorCode =
  | 'STORBENCH_ERR_VALIDATION'
  | 'STORBENCH_ERR_NOT_FOUND'
  | 'STORBENCH_ERR_UNAUTHORIZED'
  | 'STORBENCH_ERR_FORBIDDEN'
  | 'STORBENCH_ERR_CONFLICT'
  | 'STORBENCH_ERR_INTERNAL';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, 'STORBENCH_ERR_VALIDATION', message);
export const conflict = (message: string) => new HttpError(409, 'STORBENCH_ERR_CONFLICT', message);
export const notFound = (message: string) => new HttpError(404, 'STORBENCH_ERR_NOT_FOUND', message);

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  406: 'Not Acceptable',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

/** The body of an error answer. */
export function errorBody(statusCode: number, code: string, message: string) {
  return { statusCode, code, error: STATUS_TEXT[statusCode] ?? 'Error', message };
}

interface AjvError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Whether `e` comes from one of the alternatives of the failed `anyOf` error `of` (on the same value). */
const isAlternativeOf = (e: AjvError, of: AjvError) =>
  e.schemaPath.startsWith(`${of.schemaPath}/`) && (e.instancePath === of.instancePath || e.instancePath.startsWith(`${of.instancePath}/`));

/**
 * One readable line for all the problems found by the schema validator, each naming its field:
 * `querystring: unknown field "foo"; querystring.limit must be <= 500`.
 *
 * A value that matches none of an `anyOf`'s alternatives is described by the alternatives of its own type
 * (a string that is no preset: the presets; an object: what is wrong inside it), or, when it has the type
 * of none, by one line naming their types; never by every alternative's complaint.
 */
export function formatValidation(error: FastifyError): string {
  const where = error.validationContext ?? 'request';
  const errors = (error.validation ?? []) as AjvError[];
  const fieldOf = (e: AjvError) => {
    const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    return field ? `${where}.${field}` : where;
  };
  const describe = (e: AjvError) => {
    const at = fieldOf(e);
    if (e.keyword === 'additionalProperties') return `${at}: unknown field "${String(e.params.additionalProperty)}"`;
    if (e.keyword === 'required') return `${at}: missing field "${String(e.params.missingProperty)}"`;
    if (e.keyword === 'enum') return `${at} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    if (e.keyword === 'pattern') return `${at} has an invalid format`;
    return `${at} ${e.message ?? 'is invalid'}`;
  };
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const problems: string[] = [];
  for (const e of errors) {
    if (anyOfs.some((a) => isAlternativeOf(e, a))) continue;
    if (e.keyword !== 'anyOf') {
      problems.push(describe(e));
      continue;
    }
    const branches = new Map<string, AjvError[]>();
    for (const alt of errors.filter((x) => isAlternativeOf(x, e))) {
      const branch = alt.schemaPath.slice(e.schemaPath.length + 1).split('/')[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), alt]);
    }
    const wrongType = (list: AjvError[]) => list.find((x) => x.keyword === 'type' && x.instancePath === e.instancePath);
    const fitting = [...branches.values()].filter((list) => !wrongType(list));
    if (fitting.length > 0) {
      problems.push(...fitting.flat().map(describe));
    } else {
      const types = [...branches.values()].map((list) => String(wrongType(list)!.params.type)).map((t) => `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`);
      problems.push(`${fieldOf(e)} must be ${types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types.at(-1)}` : types[0]}`);
    }
  }
  return [...new Set(problems)].join('; ') || error.message;
}
