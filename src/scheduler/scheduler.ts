/**
 * The scheduler inside `storbench serve`: fires the jobs of enabled schedules when they come due, never
 * two jobs on one target at once, judges each completed run against its recent history and announces
 * regressions. Time is injected: `tick(now)` does everything due at `now`, so tests need no real minutes;
 * `start()` only adds a timer calling `tick` with the clock.
 */

import type { Cron } from 'croner';
import { prepareFleet } from '../distributed/fleet.js';
import { parseTarget, type Target } from '../drivers/target.js';
import { UsageError } from '../errors.js';
import type { JobRecord, JobStatus, ResultsStore, ScheduleRecord } from '../results/types.js';
import type { RunResult } from '../runner/run.js';
import { newRunId } from '../runner/run-id.js';
import type { SuitePlan } from '../suite/plan.js';
import { runSuite } from '../suite/run-suite.js';
import { resolveTargets } from '../suite/targets-file.js';
import { describeCrossings, detectRegression, HISTORY_RUNS } from './regression.js';
import { nextDue, parseCron, scheduleWorkloads } from './schedule.js';
import { postWebhook, webhookUrl } from './webhook.js';

export interface SchedulerOptions {
  readonly store: ResultsStore;
  /** The clock. @default () => new Date() */
  readonly now?: () => Date;
  /** Where job lines go. @default console.error */
  readonly log?: (line: string) => void;
  /** Environment the targets' `env` secrets and `env:` webhooks are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Longest sleep between two looks at the schedules (they may change from another process). @default 1000 */
  readonly pollMs?: number;
  /** Webhook timeout. @default 5000 */
  readonly webhookTimeoutMs?: number;
}

/** A job just recorded, and the promise of its outcome. */
export interface JobHandle {
  readonly job: JobRecord;
  readonly done: Promise<JobRecord>;
}

/** Runs never overlap on a target: its identity is the redacted URL without the query (options). */
export const targetKey = (t: Target): string => t.redacted.replace(/\?.*$/, '');

/** Bound on due times counted when catching up (a per-second schedule down for a day has 86,400). */
const MAX_COUNTED = 100_000;

export class Scheduler {
  private readonly store: ResultsStore;
  private readonly now: () => Date;
  private readonly log: (line: string) => void;
  private readonly env: NodeJS.ProcessEnv;
  private readonly pollMs: number;
  private readonly webhookTimeoutMs: number;
  private readonly running = new Map<number, { abort: AbortController; done: Promise<JobRecord> }>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly crons = new Map<string, Cron>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(options: SchedulerOptions) {
    this.store = options.store;
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? ((line) => console.error(line));
    this.env = options.env ?? process.env;
    this.pollMs = options.pollMs ?? 1000;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 5000;
  }

  /** Apply the missed-run policies, then fire due jobs until `stop()`. */
  start(): void {
    this.stopped = false;
    this.catchUp(this.now());
    this.loop();
  }

  /** Stop firing; running jobs are aborted (their runs end `interrupted`) and awaited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const { abort } of this.running.values()) abort.abort();
    await this.idle();
  }

  /** Resolves when no job runs and no webhook is pending. */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.pending.size > 0) {
      await Promise.allSettled([...[...this.running.values()].map((r) => r.done), ...this.pending]);
    }
  }

  private loop(): void {
    if (this.stopped) return;
    let wait = this.pollMs;
    try {
      const next = this.tick(this.now()).nextAt;
      if (next) wait = Math.min(wait, Math.max(1, next.getTime() - this.now().getTime()));
    } catch (e) {
      this.log(`scheduler: ${(e as Error).message}`);
    }
    this.timer = setTimeout(() => this.loop(), wait);
  }

  private cronOf(s: ScheduleRecord): Cron {
    let cron = this.crons.get(s.cron);
    if (!cron) this.crons.set(s.cron, (cron = parseCron(s.cron)));
    return cron;
  }

  /** Due times of `s` after its last handled one (or its creation) up to `now`: how many, and the latest. */
  private dueTimes(s: ScheduleRecord, now: Date): { count: number; first?: Date; latest?: Date } {
    const cron = this.cronOf(s);
    let at = nextDue(cron, new Date(s.lastDueAt ?? s.createdAt));
    const first = at;
    let latest: Date | undefined;
    let count = 0;
    while (at && at <= now && count < MAX_COUNTED) {
      latest = at;
      count++;
      at = nextDue(cron, at);
    }
    return { count, ...(first ? { first } : {}), ...(latest ? { latest } : {}) };
  }

  /**
   * Due times missed while no scheduler ran (after the last one handled): with policy `run-once` one job
   * runs now; with `skip` one skipped job records how many were missed.
   */
  catchUp(now: Date): JobHandle[] {
    const handles: JobHandle[] = [];
    for (const s of this.store.listSchedules()) {
      if (!s.enabled) continue;
      // Never handled by any scheduler (added while none ran): nothing was missed, it starts from now.
      if (!s.lastDueAt) {
        this.store.setScheduleDue(s.id, now.toISOString());
        continue;
      }
      const { count, first, latest } = this.dueTimes(s, now);
      if (!latest) continue;
      this.store.setScheduleDue(s.id, latest.toISOString());
      const what = `${count}${count === MAX_COUNTED ? '+' : ''} due time${count === 1 ? '' : 's'} missed while no scheduler ran (${first!.toISOString()} to ${latest.toISOString()})`;
      if (s.missed === 'run-once') {
        this.log(`schedule ${s.id}: ${what}: running once now`);
        handles.push(this.fire(s, latest, 'missed'));
      } else {
        const job = this.store.startJob({
          scheduleId: s.id,
          trigger: 'missed',
          dueAt: latest.toISOString(),
          targets: [],
          outcome: { status: 'skipped', reason: `${what}; missed-run policy: skip` },
        });
        handles.push({ job, done: Promise.resolve(job) });
      }
    }
    return handles;
  }

  /** Fire every enabled schedule due at `now`; returns the jobs recorded and the next due time. */
  tick(now: Date): { jobs: JobHandle[]; nextAt?: Date } {
    const jobs: JobHandle[] = [];
    let nextAt: Date | undefined;
    for (const s of this.store.listSchedules()) {
      if (!s.enabled) continue;
      const { latest } = this.dueTimes(s, now);
      if (latest) {
        this.store.setScheduleDue(s.id, latest.toISOString());
        jobs.push(this.fire(s, latest, 'cron'));
      }
      const next = nextDue(this.cronOf(s), now);
      if (next && (!nextAt || next < nextAt)) nextAt = next;
    }
    return { jobs, ...(nextAt ? { nextAt } : {}) };
  }

  /** `schedule run-now`: a job of `id` at once, whether enabled or not. */
  runNow(id: string): JobHandle {
    const s = this.store.getSchedule(id);
    if (!s) throw new UsageError(`schedule: no schedule "${id}"`, 'STORBENCH_ERR_NOT_FOUND');
    return this.fire(s, this.now(), 'manual');
  }

  /** Record a job for `s` and start it, unless one of its targets is busy (then it is recorded skipped). */
  private fire(s: ScheduleRecord, dueAt: Date, trigger: JobRecord['trigger']): JobHandle {
    const base = { scheduleId: s.id, trigger, dueAt: dueAt.toISOString() };
    let plan: SuitePlan;
    try {
      // Targets first: a secret variable that is not set is the reason a job fails, whatever its workloads.
      const targets = resolveTargets(s.suite.targets, `schedule ${s.id}`, this.env);
      plan = { targets, workloads: scheduleWorkloads(s.suite), ...(s.suite.baseline !== undefined ? { baseline: s.suite.baseline } : {}) };
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      const job = this.store.startJob({ ...base, targets: keysOf(s), outcome: { status: 'failed', reason: e.message } });
      this.log(`schedule ${s.id}: job ${job.id} failed: ${e.message}`);
      return { job, done: Promise.resolve(job) };
    }
    const suiteId = `schedule-${s.id}-${newRunId(dueAt)}`;
    const job = this.store.startJob({ ...base, targets: [...new Set(plan.targets.map(targetKey))], suiteId });
    if (job.status === 'skipped') {
      this.log(`schedule ${s.id}: job ${job.id} skipped: ${job.reason}`);
      return { job, done: Promise.resolve(job) };
    }
    const abort = new AbortController();
    const done = this.execute(s, job, plan, abort.signal).finally(() => this.running.delete(job.id));
    this.running.set(job.id, { abort, done });
    return { job, done };
  }

  private async execute(s: ScheduleRecord, job: JobRecord, plan: SuitePlan, signal: AbortSignal): Promise<JobRecord> {
    const log = (line: string) => this.log(`schedule ${s.id} job ${job.id}: ${line}`);
    try {
      // an engine whose launcher is missing at job time fails the job with that line (caught below)
      const fleet = s.suite.distributed ? await prepareFleet(s.suite.distributed, plan.workloads) : undefined;
      const { results, notRun } = await runSuite(plan, this.store, signal, log, { suiteId: job.suiteId!, scheduleId: s.id, ...(fleet ? { fleet } : {}) });
      for (const r of results) if (r.status === 'completed') this.judge(s, r);
      const problems = [
        ...notRun.map((n) => `${n.workload} on ${n.target}: ${n.error}`),
        ...results.filter((r) => r.status !== 'completed').map((r) => `${r.workload} on ${r.target}: ${r.status}${r.error ? ` (${r.error})` : ''}`),
      ];
      const status: Exclude<JobStatus, 'running' | 'skipped'> =
        signal.aborted || results.some((r) => r.status === 'interrupted') ? 'interrupted' : problems.length > 0 ? 'failed' : 'completed';
      log(`${status}${problems.length ? `: ${problems.join('; ')}` : ''}`);
      return this.finish(job, status, problems.join('; '));
    } catch (e) {
      const reason = `unexpected error: ${(e as Error).message}`;
      log(reason);
      return this.finish(job, 'failed', reason);
    }
  }

  /** Record the outcome; never throws (the schedule may have been removed, the store closed). */
  private finish(job: JobRecord, status: Exclude<JobStatus, 'running' | 'skipped'>, reason: string): JobRecord {
    const ended = { ...job, status, endedAt: new Date().toISOString(), ...(reason ? { reason } : {}) };
    try {
      return this.store.finishJob(job.id, { status, ...(reason ? { reason } : {}) }) ?? ended;
    } catch (e) {
      this.log(`schedule ${job.scheduleId} job ${job.id}: cannot record its outcome: ${(e as Error).message}`);
      return ended;
    }
  }

  /** Compare a completed run with the recent runs of the same schedule, target and workload. */
  private judge(s: ScheduleRecord, r: RunResult): void {
    const run = this.store.getRun(r.runId);
    if (!run) return;
    const history = this.store.listRuns({
      scheduleId: s.id,
      target: run.targetName,
      workload: run.workload,
      status: 'completed',
      until: run.startedAt,
      limit: HISTORY_RUNS + 1,
    }).runs;
    const regression = detectRegression(run, history, s.thresholds);
    if (!regression) return;
    this.store.setRegression(run.id, regression as unknown as Record<string, unknown>);
    if (!regression.regressed) return;
    this.log(`schedule ${s.id}: run ${run.id} (${run.workload} on ${run.targetName}) REGRESSED: ${describeCrossings(regression)}`);
    const url = s.webhook ? webhookUrl(s.webhook, this.env) : undefined;
    if (s.webhook && !url) this.log(`schedule ${s.id}: webhook ${s.webhook} is not set`);
    if (!url) return;
    const payload = {
      event: 'regression',
      schedule: s.id,
      runId: run.id,
      target: run.targetName,
      system: run.system,
      workload: run.workload,
      startedAt: run.startedAt,
      ...regression,
    };
    // Never awaited by the job: a slow receiver delays nothing.
    const post = postWebhook(url, payload, (line) => this.log(`schedule ${s.id}: ${line}`), this.webhookTimeoutMs).finally(() => this.pending.delete(post));
    this.pending.add(post);
  }
}

/** Target keys of a schedule whose targets could not be resolved (for the record only). */
function keysOf(s: ScheduleRecord): string[] {
  return s.suite.targets.map((t) => {
    try {
      return targetKey(parseTarget(t.url, t.options, t.name));
    } catch {
      return t.url.replace(/\?.*$/, '');
    }
  });
}
