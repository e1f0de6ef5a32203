// Schedules page: every schedule (or `?id=NAME`), its settings and its history: jobs with their outcomes,
// runs with their figures and regressions.
import { el, fmtCount, fmtDate, fmtUs, getJson, page, pageQuery, showError } from './common.js';

const main = page('Schedules', 'Schedules');
const JOBS = 20;

/** A regression's crossed figures as text: "write ops/s 5.1k → 310 (-93.9%)". */
function fmtCrossings(regression) {
  return (regression?.crossed ?? [])
    .map((c) =>
      c.metric === 'opsPerSec'
        ? `${c.op} ops/s ${fmtCount(c.baseline)} → ${fmtCount(c.value)} (${c.changePct}%)`
        : `${c.op} p99 ${fmtUs(c.baseline)} → ${fmtUs(c.value)} (+${c.changePct}%)`,
    )
    .join('; ');
}

function settings(s) {
  const t = s.thresholds;
  return el(
    'div',
    { class: 'meta' },
    el('span', {}, el('b', {}, 'cron '), `${s.cron} (UTC)`),
    el('span', {}, el('b', {}, 'next due '), s.nextDueAt ? fmtDate(s.nextDueAt) : '–'),
    el('span', {}, el('b', {}, 'targets '), s.suite.targets.map((x) => x.name ?? x.url).join(', ')),
    el('span', {}, el('b', {}, 'workloads '), s.suite.workloads.map((w) => (typeof w === 'string' ? w : (w.name ?? 'custom'))).join(', ')),
    el('span', {}, el('b', {}, 'regression '), `ops/s −${t.throughputDropPct}% or p99 +${t.p99RisePct}% vs the median of the last 5 runs`),
    el('span', {}, el('b', {}, 'missed runs '), s.missed),
    s.webhook ? el('span', {}, el('b', {}, 'webhook '), s.webhook) : null,
  );
}

function jobsTable(jobs) {
  if (!jobs.length) return el('p', { class: 'note' }, 'No jobs yet: due jobs run inside `storbench serve`.');
  return el(
    'table',
    { class: 'data jobs' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['job', 'due', 'trigger', 'status', 'reason'].map((h) => el('th', {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      jobs.map((j) =>
        el(
          'tr',
          { dataset: { status: j.status } },
          el('td', {}, String(j.id)),
          el('td', {}, fmtDate(j.dueAt)),
          el('td', {}, j.trigger),
          el('td', {}, el('span', { class: `status ${j.status}` }, j.status)),
          el('td', { class: 'reason' }, j.reason ?? ''),
        ),
      ),
    ),
  );
}

function runsTable(runs) {
  if (!runs.length) return el('p', { class: 'note' }, 'No runs yet.');
  return el(
    'table',
    { class: 'data runs' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['started', 'target', 'workload', 'status', 'ops/s', 'p99 (slowest op)', 'vs recent runs'].map((h, i) =>
          el('th', { class: i === 4 || i === 5 ? 'num' : undefined }, h),
        ),
      ),
    ),
    el(
      'tbody',
      {},
      runs.map((r) => {
        const g = r.regression;
        const verdict = !g
          ? el('span', { class: 'note' }, r.status === 'completed' ? 'no baseline yet' : '')
          : g.regressed
            ? el('span', { class: 'regressed' }, 'regressed: ', fmtCrossings(g))
            : el('span', { class: 'note' }, `ok vs ${g.baselineRuns.length} runs`);
        return el(
          'tr',
          { class: g?.regressed ? 'regressed' : undefined },
          el('td', {}, el('a', { href: `run.html?id=${encodeURIComponent(r.id)}` }, fmtDate(r.startedAt))),
          el('td', {}, r.targetName),
          el('td', {}, r.workload),
          el('td', {}, el('span', { class: `status ${r.status}` }, r.status)),
          el('td', { class: 'num' }, r.ops.length ? fmtCount(r.ops.reduce((n, o) => n + o.opsPerSec, 0)) : '–'),
          el('td', { class: 'num' }, r.ops.length ? fmtUs(Math.max(...r.ops.map((o) => o.p99Us))) : '–'),
          el('td', {}, verdict),
        );
      }),
    ),
  );
}

async function render() {
  const q = pageQuery();
  main.append(el('h1', {}, q.id ? `Schedule ${q.id}` : 'Schedules'));
  let ids;
  try {
    ids = q.id ? [q.id] : (await getJson('/api/schedules')).schedules.map((s) => s.id);
  } catch (e) {
    showError(main, e);
    return;
  }
  if (!ids.length) {
    main.append(el('p', { class: 'note' }, 'No schedules yet. Add one with `storbench schedule add` (or POST /api/schedules), then run `storbench serve`.'));
    return;
  }
  for (const id of ids) {
    let d;
    try {
      d = await getJson(`/api/schedules/${encodeURIComponent(id)}?jobs=${JOBS}`);
    } catch (e) {
      showError(main, e);
      continue;
    }
    const s = d.schedule;
    const regressions = d.runs.filter((r) => r.regression?.regressed).length;
    main.append(
      el(
        'section',
        { class: 'card schedule', dataset: { schedule: s.id } },
        el(
          'h2',
          {},
          el('a', { href: `schedules.html?id=${encodeURIComponent(s.id)}` }, s.id),
          ' ',
          el('span', { class: `status ${s.enabled ? 'completed' : 'interrupted'}` }, s.enabled ? 'enabled' : 'disabled'),
          regressions ? el('span', { class: 'status failed' }, `${regressions} regressed`) : null,
        ),
        settings(s),
        el('h3', {}, 'Jobs'),
        jobsTable(d.jobs),
        el('h3', {}, 'Runs'),
        runsTable(d.runs),
      ),
    );
  }
}

render();
