/**
 * What a run that measured to its end deserves to be called, judged from its figures: a run in which
 * nothing was measured, or every operation failed, did not measure the storage; one in which more than
 * `maxErrorRate` of the operations failed measured it only in part. Pure.
 */
import type { ErrorSample, OpResult } from '../results/types.js';

export interface Verdict {
  readonly status: 'completed' | 'degraded' | 'failed';
  /** Why it is not `completed`. */
  readonly error?: string;
}

const percent = (fraction: number): string => `${Math.round(fraction * 1000) / 10}%`;

/** The status of a run that was neither stopped early nor ended by an error. */
export function judgeRun(ops: readonly OpResult[], errors: readonly ErrorSample[], measuredSeconds: number, maxErrorRate: number): Verdict {
  const succeeded = ops.reduce((n, o) => n + o.count, 0);
  const failed = ops.reduce((n, o) => n + o.errors, 0);
  if (measuredSeconds <= 0 || succeeded + failed === 0) {
    return { status: 'failed', error: `measured nothing: no operation ended inside the measured window (${measuredSeconds.toFixed(3)}s)` };
  }
  if (succeeded === 0) {
    const first = [...errors].sort((a, b) => b.count - a.count)[0];
    return { status: 'failed', error: `every operation failed (${failed} errors${first ? `, most ${first.op} ${first.kind}: ${first.message}` : ''})` };
  }
  const rate = failed / (succeeded + failed);
  if (rate > maxErrorRate) {
    return {
      status: 'degraded',
      error: `${percent(rate)} of the operations failed (${failed} of ${succeeded + failed}), above maxErrorRate ${percent(maxErrorRate)}`,
    };
  }
  return { status: 'completed' };
}
