// Run page: one run's figures, its clients (a multi-client run), throughput and latency over time, percentiles, errors, environment, semantics.
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
  kvTable,
  lineChart,
  page,
  pageQuery,
  percentileChart,
  showError,
} from './common.js';

const main = page('Runs', 'Run');
const POLL_MS = 2000;

/** Segments pivoted to one value array per op, over every second seen. */
function perSecond(segments, value) {
  const seconds = [...new Set(segments.map((s) => s.second))].sort((a, b) => a - b);
  const ops = [...new Set(segments.map((s) => s.op))];
  const index = new Map(seconds.map((s, i) => [s, i]));
  const series = ops.map((op) => ({ label: op, values: seconds.map(() => null) }));
  for (const s of segments) series[ops.indexOf(s.op)].values[index.get(s.second)] = value(s);
  return { x: seconds, series };
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
      { id: 'clients' },
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
  document.title = `${r.targetName} · ${r.workload} · storbench`;
  main.replaceChildren();
  main.append(el('h1', {}, `${r.targetName} · ${r.workload} `, el('span', { class: `status ${r.status}` }, r.status)));
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
  if (r.error) main.append(el('p', { class: 'error' }, r.error));
  for (const w of r.warnings ?? []) main.append(el('p', { class: 'warning' }, `Warning: ${w}`));

  if (r.ops.length) {
    const head = ['op', 'count', 'errors', 'ops/s', 'MiB/s', 'p50', 'p90', 'p99', 'p99.9', 'max'];
    main.append(
      dataTable(
        { id: 'ops' },
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
    const tp = perSecond(r.segments, (s) => s.ops);
    const box = chartCard(grid, 'Throughput (ops/s)');
    box.id = 'throughput-chart';
    lineChart(box, tp.x, tp.series, { xLabel: 'second' });
    if (r.segments.some((s) => s.bytes > 0)) {
      const mib = perSecond(r.segments, (s) => s.bytes / 1048576);
      lineChart(chartCard(grid, 'Data rate (MiB/s)'), mib.x, mib.series, { xLabel: 'second', yFmt: (v) => fmtCount(v) });
    }
    const lat = perSecond(r.segments, (s) => (s.ops > 0 ? s.latencySumUs / s.ops : null));
    lineChart(chartCard(grid, 'Mean latency per second'), lat.x, lat.series, { xLabel: 'second', yFmt: fmtUs, logY: true });
    const err = perSecond(r.segments, (s) => s.errors);
    lineChart(chartCard(grid, 'Errors per second', 'Per operation type; totals by kind below.'), err.x, err.series, { xLabel: 'second' });
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
      withCurves.map((o) => ({ label: o.op, latencyUs: o.curves.latencyUs })),
    );
  }

  main.append(el('h2', {}, 'Errors by kind'));
  main.append(
    r.errors.length
      ? dataTable(
          { id: 'errors' },
          [['op'], ['kind'], ['count', true], ['first message']],
          r.errors.map((e) => dataRow({}, [e.op, e.kind, fmtCount(e.count), e.message], (i) => i === 2)),
        )
      : el('p', { class: 'note' }, 'No errors.'),
  );

  main.append(
    el(
      'div',
      { class: 'grid' },
      el('section', { class: 'card' }, el('h3', {}, 'Semantics'), kvTable(r.semantics)),
      el('section', { class: 'card' }, el('h3', {}, 'Environment'), kvTable(r.environment)),
      el('section', { class: 'card' }, el('h3', {}, 'Capabilities'), kvTable(r.capabilities)),
      el('section', { class: 'card' }, el('h3', {}, 'Workload spec'), kvTable(r.spec)),
    ),
  );

  if (r.status === 'running') setTimeout(render, POLL_MS);
}

render();
