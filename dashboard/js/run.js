// Run page: one run's figures, throughput and latency over time, percentiles, errors, environment, semantics.
import {
  chartCard,
  el,
  fmtCount,
  fmtDate,
  fmtMib,
  fmtProgress,
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
      el(
        'table',
        { class: 'data', id: 'ops' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            head.map((h, i) => el('th', { class: i ? 'num' : undefined }, h)),
          ),
        ),
        el(
          'tbody',
          {},
          r.ops.map((o) =>
            el(
              'tr',
              {},
              el('td', {}, o.op),
              [
                fmtCount(o.count),
                fmtCount(o.errors),
                fmtCount(o.opsPerSec),
                fmtMib(o.mibPerSec),
                fmtUs(o.latencyUs.p50),
                fmtUs(o.latencyUs.p90),
                fmtUs(o.latencyUs.p99),
                fmtUs(o.latencyUs.p999),
                fmtUs(o.latencyUs.max),
              ].map((v) => el('td', { class: 'num' }, v)),
            ),
          ),
        ),
      ),
    );
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
      ? el(
          'table',
          { class: 'data', id: 'errors' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['op', 'kind', 'count', 'first message'].map((h) => el('th', {}, h)),
            ),
          ),
          el(
            'tbody',
            {},
            r.errors.map((e) => el('tr', {}, el('td', {}, e.op), el('td', {}, e.kind), el('td', { class: 'num' }, fmtCount(e.count)), el('td', {}, e.message))),
          ),
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
