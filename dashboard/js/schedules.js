// Schedules page: every schedule (or `?id=NAME`), its settings and its history: a trend per target × workload
// with regressions marked, jobs with their outcomes, runs with their figures and regressions.
import { chartCard, el, fmtCount, fmtDate, fmtUs, getJson, lineChart, page, pageQuery, showError } from './common.js';

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

const totalOpsPerSec = (r) => r.ops.reduce((n, o) => n + o.opsPerSec, 0);
const slowestP99 = (r) => Math.max(...r.ops.map((o) => o.p99Us));
const REGRESSED_COLOR = '#b91c1c';

/**
 * A trend per target × workload of the schedule's completed runs, oldest first: ops/s (all op types) and p99 (the
 * slowest op type) per run, regressed runs marked in red. The API answers the latest runs: the trend spans those.
 */
function drawTrends(grid, runs) {
  const series = new Map();
  for (const r of runs) {
    if (r.status !== 'completed' || !r.ops.length) continue;
    const key = `${r.targetName} · ${r.workload}`;
    series.set(key, [...(series.get(key) ?? []), r]);
  }
  if (!series.size) grid.append(el('p', { class: 'note' }, 'No completed runs yet.'));
  for (const [key, list] of series) {
    list.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    const x = list.map((r) => Date.parse(r.startedAt) / 1000);
    const regressed = list.some((r) => r.regression?.regressed);
    const chart = (metric, value, yFmt) => {
      const box = chartCard(grid, `${key}: ${metric}`, regressed ? 'One point per run; red: regressed.' : 'One point per run.');
      box.classList.add('trend');
      box.dataset.trend = key;
      box.dataset.regressed = String(list.filter((r) => r.regression?.regressed).length);
      lineChart(
        box,
        x,
        [
          { label: metric, values: list.map(value) },
          ...(regressed
            ? [{ label: 'regressed', color: REGRESSED_COLOR, points: true, values: list.map((r) => (r.regression?.regressed ? value(r) : null)) }]
            : []),
        ],
        { xTime: true, xLabel: 'started (UTC)', height: 200, emptyText: 'One run so far: no trend yet.', ...(yFmt && { yFmt }) },
      );
    };
    chart('ops/s', totalOpsPerSec);
    chart('p99 (slowest op)', slowestP99, fmtUs);
  }
}

function jobsTable(jobs) {
  if (!jobs.length) return el('p', { class: 'note' }, 'No jobs yet: due jobs run inside `storbench serve`.');
  return el(
    'table',
    { class: 'data jobs' },
    el('caption', { class: 'visually-hidden' }, 'Jobs, newest first'),
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
    el('caption', { class: 'visually-hidden' }, 'Runs, newest first'),
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
          el('td', { class: 'num' }, r.ops.length ? fmtCount(totalOpsPerSec(r)) : '–'),
          el('td', { class: 'num' }, r.ops.length ? fmtUs(slowestP99(r)) : '–'),
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
    const trends = el('div', { class: 'grid trends' });
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
        el('h3', {}, 'Trends'),
        trends,
        el('h3', {}, 'Jobs'),
        jobsTable(d.jobs),
        el('h3', {}, 'Runs'),
        runsTable(d.runs),
      ),
    );
    // Drawn once in the page: the charts take their width from their cards.
    drawTrends(trends, d.runs);
  }
}

render();
