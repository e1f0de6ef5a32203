/**
 * Serialized answers cached until the results database changes (`store.revision()`): reports are read
 * far more often than runs are written, and a live run changes the revision every second it flushes.
 * A cached answer is kept encoded (a Buffer, so a request does not encode tens of KiB again) with an ETag
 * of its content, and a request naming that ETag in `If-None-Match` gets a 304 without the body.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { ResultsStore } from '../results/types.js';

/** Entries kept before the cache is emptied (a crude bound on memory: keys are validated URLs). */
const MAX_ENTRIES = 2000;

/** An answer as a route computes it. */
export interface CachedAnswer {
  readonly status: number;
  readonly type: string;
  readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An answer ready to send again and again: see {@link prepareAnswer}. */
export interface PreparedAnswer extends CachedAnswer {
  readonly body: Buffer;
  /** A strong ETag of the body (2xx answers only): the same bytes always have the same tag, across restarts. */
  readonly etag?: string;
}

/** The answer with its body encoded once and, for a 2xx, its ETag. */
export function prepareAnswer(answer: CachedAnswer): PreparedAnswer {
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
  if (answer.status < 200 || answer.status >= 300) return { ...answer, body };
  return { ...answer, body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, RFC 9110 13.1.2). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** Send a prepared answer; a 304 without body when the request already has it (`If-None-Match`). */
export function sendPrepared(reply: FastifyReply, answer: PreparedAnswer): FastifyReply {
  if (answer.headers) reply.headers(answer.headers);
  if (answer.etag) {
    reply.header('etag', answer.etag);
    if (matchesEtag(reply.request.headers['if-none-match'], answer.etag)) return reply.code(304).send();
  }
  return reply.code(answer.status).type(answer.type).send(answer.body);
}

export class AnswerCache {
  private revision = '';
  private readonly entries = new Map<string, PreparedAnswer>();

  constructor(private readonly store: ResultsStore) {}

  /** Send the cached answer for `key`, computing it with `compute` when the data changed since. */
  send(reply: FastifyReply, key: string, compute: () => CachedAnswer): FastifyReply {
    const revision = this.store.revision();
    if (revision !== this.revision || this.entries.size >= MAX_ENTRIES) {
      this.entries.clear();
      this.revision = revision;
    }
    let answer = this.entries.get(key);
    if (!answer) {
      answer = prepareAnswer(compute());
      this.entries.set(key, answer);
    }
    return sendPrepared(reply, answer);
  }
}

/** A JSON answer for {@link AnswerCache.send}. */
export const jsonAnswer = (value: unknown, status = 200): CachedAnswer => ({
  status,
  type: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
});
