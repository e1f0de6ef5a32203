// Run page: one run's figures, links to related runs and exports, service time, its clients (a multi-client run), throughput
// and latency over time, percentiles, the latency distribution, errors, environment, semantics.
import {
  chartCard,
  dataRow,
  dataTable,
  el,
  fmtCount,
  fmtDate,
  fmtMib,
  fmtOffsetMs,
  fmtProgress,
  fmtSeconds,
  fmtUs,
  getJson,
  healthBadge,
  kvTable,
  lineChart,
  page,
  pageQuery,
  percentileChart,
  showError,
} from './common.js';

const main = page('Runs', 'Run');
const POLL_MS = 2000;

/**
 * Segments pivoted once (a one-hour run has 3,600 seconds × its op types of them): `x` is every second seen,
 * `series(value, suffix)` one value array per op over `x` (null where an op has no segment that second).
 */
function pivot(segments) {
  const x = [...new Set(segments.map((s) => s.second))].sort((a, b) => a - b);
  const ops = [...new Set(segments.map((s) => s.op))];
  const index = new Map(x.map((s, i) => [s, i]));
  const cells = ops.map(() => new Array(x.length).fill(null));
  for (const s of segments) cells[ops.indexOf(s.op)][index.get(s.second)] = s;
  const series = (value, suffix = '') => ops.map((op, k) => ({ label: `${op}${suffix}`, values: cells[k].map((s) => (s === null ? null : value(s))) }));
  return { x, series };
}

/** Fetch a CSV answer as rows of numbers (the header line dropped). */
async function getCsvNumbers(path) {
  const res = await fetch(path, { headers: { accept: 'text/csv' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.text())
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(',').map(Number));
}

/** A regression a schedule found in this run, at the top: what crossed its threshold, against which runs. */
function regressionBox(r) {
  const g = r.regression;
  if (!g?.regressed) return null;
  const crossings = (g.crossed ?? []).map((c) =>
    c.metric === 'opsPerSec'
      ? `${c.op} ops/s ${fmtCount(c.baseline)} → ${fmtCount(c.value)} (${c.changePct}%)`
      : `${c.op} p99 ${fmtUs(c.baseline)} → ${fmtUs(c.value)} (+${c.changePct}%)`,
  );
  return el(
    'p',
    { class: 'error', id: 'regression' },
    el('b', {}, 'REGRESSED: '),
    `${crossings.join('; ')} against the median of ${(g.baselineRuns ?? []).length} earlier runs`,
    r.scheduleId ? [' of schedule ', el('a', { href: `/schedules.html?id=${encodeURIComponent(r.scheduleId)}` }, r.scheduleId)] : '',
    '.',
  );
}

/**
 * Where to go from this run: comparisons with the runs of this target and workload just before it, the
 * other runs of both, its suite and schedule, and its figures as files.
 */
function linksSection(r) {
  const id = encodeURIComponent(r.id);
  const query = (o) => new URLSearchParams(o).toString();
  const compare = el('span', { id: 'compare-links' }, 'looking for earlier runs…');
  const exports = [
    el('a', { href: `/api/runs/${id}`, download: `storbench-${r.id}.json` }, 'JSON'),
    el('a', { href: `/api/runs/${id}/segments.csv` }, 'per-second CSV'),
    ...r.ops.map((o) => el('a', { href: `/api/runs/${id}/histogram.csv?${query({ op: o.op })}` }, `${o.op} bins CSV`)),
  ];
  const links = el(
    // not a <nav>: the page's navigation bar styles those
    'div',
    { class: 'meta run-links', id: 'run-links', role: 'navigation', 'aria-label': 'Related pages and exports' },
    compare,
    el('a', { href: `/runs.html?${query({ target: r.targetName, workload: r.workload })}` }, `other runs of ${r.targetName} · ${r.workload}`),
    r.suiteId ? el('a', { href: `/?${query({ suite: r.suiteId })}` }, `suite ${r.suiteId}`) : null,
    r.scheduleId ? el('a', { href: `/schedules.html?${query({ id: r.scheduleId })}` }, `schedule ${r.scheduleId}`) : null,
    el(
      'span',
      {},
      el('b', {}, 'export '),
      exports.flatMap((a, i) => (i ? [' · ', a] : [a])),
    ),
  );
  // The runs filter matches parts of names: only this target's and workload's own runs count.
  getJson(`/api/runs?${query({ target: r.targetName, workload: r.workload, status: 'completed', until: r.startedAt, limit: 20 })}`)
    .then((list) => {
      const before = list.runs.filter((x) => x.id !== r.id && x.targetName === r.targetName && x.workload === r.workload).slice(0, 2);
      const with_ = (runs) => `/compare.html?ids=${[...runs.map((x) => x.id).reverse(), r.id].map(encodeURIComponent).join(',')}`;
      compare.replaceChildren(
        ...(before.length
          ? [
              el('a', { href: with_(before.slice(0, 1)) }, 'compare with the previous run'),
              ...(before.length > 1 ? [' · ', el('a', { href: with_(before) }, 'and the one before it')] : []),
            ]
          : ['no earlier completed run of this target and workload']),
      );
    })
    .catch(() => compare.replaceChildren('earlier runs: unavailable'));
  return links;
}

/** Service time, time to first byte and mean IO rate by op: what an open-loop run (and a reader of bytes) adds. */
function serviceSection(r) {
  const ops = r.ops.filter((o) => o.serviceUs || o.ttfbUs || o.meanIoRateMibPerSec);
  if (!ops.length) return [];
  const open = r.loadModel === 'open';
  const head = ['op', 'response p50', 'response p99', 'service p50', 'service p99', 'TTFB p50', 'TTFB p99', 'mean IO rate'];
  return [
    el('h2', { id: 'service-heading' }, open ? 'Response time and service time' : 'Time to first byte and IO rate'),
    open
      ? el(
          'p',
          { class: 'note', id: 'service-note' },
          'Response time counts from when each operation was due (the offered rate), service time from when it was sent. ' +
            'A slow operation holds back the ones due after it: that wait is in response time, and a benchmark that ' +
            'measures service time only hides it (coordinated omission).',
        )
      : null,
    dataTable(
      { id: 'service', caption: 'Response time and service time per operation type' },
      head.map((h, i) => [h, i > 0]),
      ops.map((o) =>
        dataRow(
          {},
          [
            o.op,
            fmtUs(o.latencyUs.p50),
            fmtUs(o.latencyUs.p99),
            fmtUs(o.serviceUs?.p50),
            fmtUs(o.serviceUs?.p99),
            fmtUs(o.ttfbUs?.p50),
            fmtUs(o.ttfbUs?.p99),
            fmtMib(o.meanIoRateMibPerSec),
          ],
          (i) => i > 0,
        ),
      ),
    ),
  ];
}

/** Each op's latency bins (the bins export), asked for as soon as the run's figures are in. */
const binsOf = (r) =>
  new Map(
    r.ops.filter((o) => o.count > 0).map((o) => [o.op, getCsvNumbers(`/api/runs/${encodeURIComponent(r.id)}/histogram.csv?op=${encodeURIComponent(o.op)}`)]),
  );

/** A latency histogram (bars over log latency) and its linear CDF for each op, from `bins` ({@link binsOf}). */
function distributionSection(r, bins) {
  const ops = r.ops.filter((o) => bins.has(o.op));
  if (!ops.length) return [];
  const grid = el('div', { class: 'grid', id: 'distribution' });
  for (const o of ops) {
    const bars = chartCard(grid, `${o.op}: latency histogram`, 'Operations per latency bin (log latency: 32 bins per power of two).');
    bars.classList.add('histogram-chart');
    const cdf = chartCard(grid, `${o.op}: latency CDF`, 'Fraction of operations at or below each latency (linear fraction, log latency).');
    cdf.classList.add('cdf-chart');
    bins
      .get(o.op)
      .then((rows) => {
        const x = rows.map((b) => b[1]);
        const opts = { logX: true, xFmt: fmtUs, xLabel: 'latency', emptyText: 'too few distinct latencies to draw' };
        lineChart(bars, x, [{ label: 'operations', values: rows.map((b) => b[2]) }], { ...opts, bars: true });
        lineChart(cdf, x, [{ label: 'fraction', values: rows.map((b) => b[3]) }], { ...opts, yFmt: (v) => `${Number((v * 100).toFixed(3))}%` });
      })
      .catch((e) => showError(bars, e));
  }
  return [el('h2', {}, 'Latency distribution'), grid];
}

/** Each worker thread's own figures (a run of one process on several threads): a row per thread and op, the spread in words. */
function threadsSection(r) {
  const rows = r.threads ?? [];
  if (!rows.length) return [];
  const n = new Set(rows.map((t) => t.thread)).size;
  const spread = [...new Set(rows.map((t) => t.op))].map((op) => {
    const rates = rows.filter((t) => t.op === op).map((t) => t.opsPerSec);
    const max = Math.max(...rates);
    return `${op}: slowest thread ${max > 0 ? Math.round((Math.min(...rates) / max) * 100) : 100}% of the fastest`;
  });
  return [
    el('h2', { id: 'threads-heading' }, `Threads (${n})`),
    el('p', { class: 'note', id: 'threads-spread' }, `The run's figures are all threads merged. ${spread.join(' · ')}.`),
    dataTable(
      { id: 'threads', caption: 'Figures per worker thread' },
      [['thread', true], ['op'], ['count', true], ['ops/s', true], ['errors', true], ['p99', true]],
      rows.map((t) => dataRow({}, [String(t.thread), t.op, fmtCount(t.count), fmtCount(t.opsPerSec), fmtCount(t.errors), fmtUs(t.p99Us)], (i) => i !== 1)),
    ),
  ];
}

const CLIENT_HEAD = [
  ['rank', true],
  ['host'],
  ['status'],
  ['ops/s', true],
  ['MiB/s', true],
  ['p99', true],
  ['errors', true],
  ['start skew', true],
  ['clock offset', true],
  ['RTT', true],
  ['measured', true],
  ['flagged'],
];

/** The per-client breakdown (`/api/runs/:id/clients`): a row per client, stragglers flagged in words, first and last done. */
function clientsSection(b) {
  const flagged = b.rows.filter((c) => c.flags.length).length;
  return [
    el('h2', { id: 'clients-heading' }, `Clients (${b.rows.length})`),
    el(
      'p',
      { class: 'note', id: 'clients-done' },
      `First done ${fmtSeconds(b.firstDoneSeconds)} · last done ${fmtSeconds(b.lastDoneSeconds)} · median ${fmtCount(b.medianOpsPerSec)} ops/s · `,
      flagged ? `${flagged} of ${b.rows.length} clients flagged` : 'no stragglers',
    ),
    dataTable(
      { id: 'clients', caption: 'Figures per client' },
      CLIENT_HEAD,
      b.rows.map((c) =>
        dataRow(
          { class: c.flags.length ? 'straggler' : undefined, dataset: { rank: c.rank, flags: c.flags.join(' ') } },
          [
            String(c.rank),
            c.host ?? '–',
            el('span', { class: `status ${c.status}` }, c.status),
            fmtCount(c.opsPerSec),
            fmtMib(c.mibPerSec),
            fmtUs(c.p99Us),
            fmtCount(c.errors),
            fmtOffsetMs(c.startSkewMs),
            fmtOffsetMs(c.clockOffsetMs),
            c.rttMs === undefined ? '–' : fmtUs(c.rttMs * 1000),
            fmtSeconds(c.measuredSeconds),
            c.notes.length ? [el('b', {}, 'flagged: '), c.notes.join('; ')] : '',
          ],
          (i) => CLIENT_HEAD[i][1],
        ),
      ),
    ),
  ];
}

/**
 * What ended or marred the run, above its figures: a failed run's error in red, an interrupted run's note in
 * slate (stopped, not broken), a run completed with errors (or degraded) in amber with its error share.
 */
function statusBox(r) {
  const level = r.health?.level;
  const share = r.health?.errorPct;
  const errors = r.ops.reduce((n, o) => n + o.errors, 0);
  const attempted = errors + r.ops.reduce((n, o) => n + o.count, 0);
  const errorLine =
    level === 'errors'
      ? `${share}% of the attempted operations failed (${fmtCount(errors)} of ${fmtCount(attempted)}): "count" below is the successful operations only, errors are not in it.`
      : null;
  const boxes = [];
  if (r.error) boxes.push(el('p', { class: r.status === 'interrupted' ? 'stopped' : level === 'errors' ? 'warning' : 'error', id: 'status-box' }, r.error));
  // a degraded run's error already says how many failed
  if (errorLine && !r.error) boxes.push(el('p', { class: 'warning', id: 'error-share' }, `${r.health.label}: ${errorLine}`));
  return boxes;
}

/** Under "Errors by kind" when no error was sampled: never a bare "No errors." under a failed run's error. */
function noErrorsNote(r) {
  if (r.status === 'failed') return 'No failed operations were sampled: the error above ended the run before or outside its measured operations.';
  if (r.status === 'interrupted') return 'No operation failed before the run was stopped.';
  return 'No errors.';
}

async function render() {
  const { id } = pageQuery();
  if (!id) {
    showError(main, 'no run id in the address (run.html?id=...)');
    return;
  }
  let r;
  try {
    r = await getJson(`/api/runs/${encodeURIComponent(id)}`);
  } catch (e) {
    main.replaceChildren();
    showError(main, e);
    return;
  }
  const bins = binsOf(r);
  document.title = `${r.targetName} · ${r.workload} · storbench`;
  main.replaceChildren();
  main.append(el('h1', {}, `${r.targetName} · ${r.workload} `, healthBadge(r)));
  main.append(
    el(
      'div',
      { class: 'meta' },
      el('span', {}, el('b', {}, 'system '), r.system),
      el('span', {}, el('b', {}, 'target '), r.target),
      el('span', {}, el('b', {}, 'started '), fmtDate(r.startedAt)),
      r.measuredSeconds ? el('span', {}, el('b', {}, 'measured '), `${r.measuredSeconds} s`) : null,
      el('span', {}, el('b', {}, 'load '), `${r.loadModel}, concurrency ${r.concurrency}${r.rate ? `, ${r.rate} ops/s offered` : ''}`),
      el('span', {}, el('b', {}, 'run '), r.id),
    ),
  );
  main.append(...[regressionBox(r), linksSection(r)].filter(Boolean));
  if (r.status === 'running') {
    main.append(
      el(
        'div',
        { class: 'live', id: 'live' },
        el('b', {}, 'Live: '),
        fmtProgress(r.progress) || 'starting (figures are flushed every few seconds)',
        el('span', { class: 'note' }, ` (refreshing every ${POLL_MS / 1000} s)`),
      ),
    );
  }
  main.append(...statusBox(r));
  for (const w of r.warnings ?? []) main.append(el('p', { class: 'warning' }, `Warning: ${w}`));

  if (r.ops.length) {
    const head = ['op', 'count', 'errors', 'ops/s', 'MiB/s', 'p50', 'p90', 'p99', 'p99.9', 'max'];
    main.append(
      dataTable(
        { id: 'ops', caption: 'Figures per operation type' },
        head.map((h, i) => [h, i > 0]),
        r.ops.map((o) =>
          dataRow(
            {},
            [
              o.op,
              fmtCount(o.count),
              fmtCount(o.errors),
              fmtCount(o.opsPerSec),
              fmtMib(o.mibPerSec),
              fmtUs(o.latencyUs.p50),
              fmtUs(o.latencyUs.p90),
              fmtUs(o.latencyUs.p99),
              fmtUs(o.latencyUs.p999),
              fmtUs(o.latencyUs.max),
            ],
            (i) => i > 0,
          ),
        ),
      ),
    );
  }
  main.append(...serviceSection(r), ...threadsSection(r));
  // Only a multi-client run has clients: a run of one process shows no such section.
  if (r.clients?.length) {
    try {
      main.append(...clientsSection(await getJson(`/api/runs/${encodeURIComponent(id)}/clients`)));
    } catch (e) {
      showError(main, e);
    }
  }

  const grid = el('div', { class: 'grid' });
  main.append(el('h2', {}, 'Over time'), grid);
  if (r.segments.length) {
    const seconds = pivot(r.segments);
    const tp = { x: seconds.x, series: seconds.series((s) => s.ops) };
    const open = r.loadModel === 'open' && r.rate > 0;
    const box = chartCard(
      grid,
      'Throughput (ops/s)',
      open ? `The dashed line is the offered rate (${fmtCount(r.rate)} ops/s, all op types together).` : undefined,
    );
    box.id = 'throughput-chart';
    if (open) {
      if (tp.series.length > 1) tp.series.push({ label: 'all ops', values: tp.x.map((_, i) => tp.series.reduce((n, s) => n + (s.values[i] ?? 0), 0)) });
      tp.series.push({ label: 'offered', values: tp.x.map(() => r.rate), color: '#64748b', dash: [6, 4] });
    }
    lineChart(box, tp.x, tp.series, { xLabel: 'second' });
    if (r.segments.some((s) => s.bytes > 0)) {
      lineChart(
        chartCard(grid, 'Data rate (MiB/s)'),
        seconds.x,
        seconds.series((s) => s.bytes / 1048576),
        { xLabel: 'second', yFmt: (v) => fmtCount(v) },
      );
    }
    // p99 per second is stored since schema 6: an older run's p99 is '–'.
    const latency = (value) => (s) => (s.ops > 0 ? value(s) : null);
    const latSeries = [
      ...seconds.series(
        latency((s) => s.latencyP99Us ?? null),
        ' p99',
      ),
      ...seconds.series(
        latency((s) => s.latencySumUs / s.ops),
        ' mean',
      ),
      ...seconds.series(
        latency((s) => s.latencyMaxUs),
        ' max',
      ),
    ];
    const latBox = chartCard(
      grid,
      'Latency per second: p99, mean, max',
      r.segments.some((s) => s.latencyP99Us !== undefined)
        ? 'p99 of each second, at most 3.1% high.'
        : 'This run was stored before p99 per second was kept: p99 shows as –.',
    );
    latBox.id = 'latency-chart';
    lineChart(latBox, seconds.x, latSeries, { xLabel: 'second', yFmt: fmtUs, logY: true });
    lineChart(
      chartCard(grid, 'Errors per second', 'Per operation type; totals by kind below.'),
      seconds.x,
      seconds.series((s) => s.errors),
      { xLabel: 'second' },
    );
  } else {
    grid.append(el('p', { class: 'note' }, 'No per-second segments recorded.'));
  }

  const withCurves = r.ops.filter((o) => o.curves.latencyUs);
  if (withCurves.length) {
    main.append(el('h2', {}, 'Latency percentiles (log scale)'));
    const pgrid = el('div', { class: 'grid' });
    main.append(pgrid);
    const box = chartCard(
      pgrid,
      'Latency by percentile',
      r.loadModel === 'open' ? 'Measured from the intended start (open loop).' : 'Closed loop: measured from the actual start.',
    );
    box.id = 'percentile-chart';
    percentileChart(
      box,
      r.percentileAxis,
      withCurves.flatMap((o) => [
        { label: o.serviceUs ? `${o.op} response` : o.op, latencyUs: o.curves.latencyUs },
        ...(o.curves.serviceUs ? [{ label: `${o.op} service`, latencyUs: o.curves.serviceUs }] : []),
      ]),
    );
  }
  main.append(...distributionSection(r, bins));

  main.append(el('h2', {}, 'Errors by kind'));
  main.append(
    r.errors.length
      ? dataTable(
          { id: 'errors', caption: 'Errors by kind' },
          [['op'], ['kind'], ['count', true], ['first message']],
          r.errors.map((e) => dataRow({}, [e.op, e.kind, fmtCount(e.count), e.message], (i) => i === 2)),
        )
      : el('p', { class: 'note', id: 'no-errors' }, noErrorsNote(r)),
  );

  main.append(
    el(
      'div',
      { class: 'grid' },
      el('section', { class: 'card' }, el('h3', {}, 'Semantics'), kvTable(r.semantics, 'Semantics')),
      el('section', { class: 'card' }, el('h3', {}, 'Environment'), kvTable(r.environment, 'Environment')),
      el('section', { class: 'card' }, el('h3', {}, 'Capabilities'), kvTable(r.capabilities, 'Capabilities')),
      el('section', { class: 'card' }, el('h3', {}, 'Workload spec'), kvTable(r.spec, 'Workload spec')),
    ),
  );

  if (r.status === 'running') setTimeout(render, POLL_MS);
}

render();
