// Compare page: several runs side by side, bars per operation type and overlaid latency percentiles.
import {
  barGroup,
  chartCard,
  colorOf,
  el,
  fmtCount,
  fmtDate,
  fmtMib,
  fmtRatio,
  fmtUs,
  getJson,
  page,
  pageQuery,
  percentileChart,
  showError,
} from './common.js';

const main = page('Compare', 'Compare');

async function render() {
  const { ids } = pageQuery();
  if (!ids) {
    main.append(el('p', { class: 'note' }, 'Pick runs to compare on the Matrix or Runs page.'));
    return;
  }
  let c;
  try {
    c = await getJson(`/api/compare?ids=${encodeURIComponent(ids)}`);
  } catch (e) {
    showError(main, e);
    return;
  }
  const label = (r) => `${r.targetName} · ${r.workload}`;
  const workloads = new Set(c.runs.map((r) => r.workload));
  main.append(el('h1', {}, workloads.size === 1 ? `Compare: ${[...workloads][0]}` : 'Compare runs'));
  for (const w of c.warnings ?? []) main.append(el('p', { class: 'warning' }, `Warning: ${w}`));
  main.append(
    el(
      'table',
      { class: 'data', id: 'compare-runs' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['run', 'target', 'system', 'workload', 'started', 'concurrency'].map((h) => el('th', {}, h)),
        ),
      ),
      el(
        'tbody',
        {},
        c.runs.map((r, i) => {
          const sw = el('span', { class: 'swatch-inline' });
          sw.style.background = colorOf(i);
          return el(
            'tr',
            {},
            el(
              'td',
              {},
              sw,
              el('a', { href: `run.html?id=${encodeURIComponent(r.id)}` }, r.id),
              i === 0 ? el('span', { class: 'note' }, ' (reference)') : null,
            ),
            el('td', {}, r.targetName),
            el('td', {}, r.system),
            el('td', {}, r.workload),
            el('td', {}, fmtDate(r.startedAt)),
            el('td', { class: 'num' }, String(r.concurrency)),
          );
        }),
      ),
    ),
  );
  main.append(
    el(
      'p',
      { class: 'note' },
      'Ratios are to the first run. ',
      el('a', { href: `/api/export/compare?format=csv&ids=${encodeURIComponent(ids)}` }, 'CSV'),
      ' · ',
      el('a', { href: `/api/export/compare?format=md&ids=${encodeURIComponent(ids)}` }, 'Markdown'),
      ' · ',
      el('a', { href: `/api/export/compare?format=json&ids=${encodeURIComponent(ids)}` }, 'JSON'),
    ),
  );

  const short = (i) => `${c.runs[i].targetName}`;
  const bars = (title, key, ratioKey, fmt, lowerIsBetter) => {
    const card = el('section', { class: 'card' }, el('h3', {}, title), lowerIsBetter ? el('p', { class: 'note' }, 'lower is better') : null);
    for (const row of c.rows) {
      if (key === 'mibPerSec' && !row.cells.some((v) => v && v.mibPerSec > 0)) continue;
      barGroup(
        card,
        row.op,
        row.cells.map((v, i) => ({
          label: short(i),
          color: colorOf(i),
          value: v ? v[key] : null,
          ratio: v && i > 0 && ratioKey && v[ratioKey] !== undefined ? fmtRatio(v[ratioKey]) : '',
        })),
        fmt,
      );
    }
    return card;
  };
  main.append(el('h2', {}, 'Throughput and latency by operation'));
  const grid = el(
    'div',
    { class: 'bars', id: 'bars' },
    bars('Throughput (ops/s)', 'opsPerSec', 'opsRatio', (v) => `${fmtCount(v)} ops/s`),
    bars('p99 latency', 'p99Us', 'p99Ratio', fmtUs, true),
    bars('p50 latency', 'p50Us', null, fmtUs, true),
  );
  if (c.rows.some((r) => r.cells.some((v) => v && v.mibPerSec > 0))) grid.append(bars('Data rate', 'mibPerSec', 'mibRatio', fmtMib));
  main.append(grid);

  const ops = Object.keys(c.curves);
  main.append(el('h2', {}, 'Latency percentiles (log scale)'));
  const select = el(
    'select',
    { id: 'op' },
    ops.map((op) => el('option', { value: op }, op)),
  );
  const holder = el('div', { class: 'grid' });
  main.append(el('div', { class: 'toolbar' }, el('label', { for: 'op' }, 'Operation '), select), holder);
  const draw = () => {
    holder.replaceChildren();
    const target = chartCard(holder, `${select.value}: latency by percentile`, 'From the merged HDR histogram of each run; each line is one run.');
    target.id = 'percentile-chart';
    const byRun = new Map((c.curves[select.value] ?? []).map((x) => [x.runId, x.latencyUs]));
    percentileChart(
      target,
      c.percentileAxis,
      c.runs.map((r, i) => ({ label: label(r), color: colorOf(i), latencyUs: byRun.get(r.id) ?? null })),
    );
  };
  select.addEventListener('change', draw);
  if (ops.length) draw();
}

render();
