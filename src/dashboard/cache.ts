/**
 * Serialized answers cached until the results database changes (`store.revision()`): reports are read
 * far more often than runs are written, and a live run changes the revision every second it flushes.
 */
import type { FastifyReply } from 'fastify';
import type { ResultsStore } from '../results/types.js';

/** Entries kept before the cache is emptied (a crude bound on memory: keys are validated URLs). */
const MAX_ENTRIES = 2000;

export interface CachedAnswer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export class AnswerCache {
  private revision = '';
  private readonly entries = new Map<string, CachedAnswer>();

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
      answer = compute();
      this.entries.set(key, answer);
    }
    if (answer.headers) reply.headers(answer.headers);
    return reply.code(answer.status).type(answer.type).send(answer.body);
  }
}

/** A JSON answer for {@link AnswerCache.send}. */
export const jsonAnswer = (value: unknown, status = 200): CachedAnswer => ({
  status,
  type: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
});
