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
  constructor(readonly statusCode: number, readonly code: HttpErrorCode, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, 'STORBENCH_ERR_VALIDATION', message);
export const conflict = (message: string) => new HttpError(409, 'STORBENCH_ERR_CONFLICT', message);
export const notFound = (message: string) => new HttpError(404, 'STORBENCH_ERR_NOT_FOUND', message);

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  406: 'Not Acceptable', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error',
};

/** The body of an error answer. */
export function errorBody(statusCode: number, code: string, message: string) {
  return { statusCode, code, error: STATUS_TEXT[statusCode] ?? 'Error', message };
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * One readable line for all the problems found by the schema validator, each naming its field:
 * `querystring: unknown field "foo"; querystring.limit must be <= 500`.
 */
export function formatValidation(error: FastifyError): string {
  const where = error.validationContext ?? 'request';
  const problems = ((error.validation ?? []) as AjvError[]).map((e) => {
    const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const at = field ? `${where}.${field}` : where;
    if (e.keyword === 'additionalProperties') return `${where}: unknown field "${String(e.params.additionalProperty)}"`;
    if (e.keyword === 'required') return `${where}: missing field "${String(e.params.missingProperty)}"`;
    if (e.keyword === 'enum') return `${at} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    if (e.keyword === 'pattern') return `${at} has an invalid format`;
    return `${at} ${e.message ?? 'is invalid'}`;
  });
  return [...new Set(problems)].join('; ') || error.message;
}
