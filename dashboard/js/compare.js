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
  healthBadge,
  page,
  pageQuery,
  percentileChart,
  showError,
} from './common.js';

const main = page('Compare', 'Compare');

async function render() {
  const { ids } = pageQuery();
  if (!ids) {
    main.append(
      el('h1', {}, 'Compare runs'),
      el('p', { id: 'no-runs' }, 'Pick runs to compare on the ', el('a', { href: '/' }, 'Matrix'), ' or ', el('a', { href: '/runs.html' }, 'Runs'), ' page.'),
    );
    return;
  }
  let c;
  try {
    c = await getJson(`/api/compare?ids=${encodeURIComponent(ids)}`);
  } catch (e) {
    showError(main, e);
    return;
  }
  const workloads = new Set(c.runs.map((r) => r.workload));
  // r.label tells two runs of one target apart (target · short id); the workload joins it when they differ
  const label = (r) => (workloads.size > 1 ? `${r.label} · ${r.workload}` : r.label);
  const idList = ids.split(',');
  const open = (next) => {
    location.href = `compare.html?ids=${next.map(encodeURIComponent).join(',')}`;
  };
  main.append(el('h1', {}, workloads.size === 1 ? `Compare: ${[...workloads][0]}` : 'Compare runs'));
  for (const w of c.warnings ?? []) main.append(el('p', { class: 'warning' }, `Warning: ${w}`));
  main.append(
    el(
      'table',
      { class: 'data', id: 'compare-runs' },
      el('caption', { class: 'visually-hidden' }, 'The runs compared'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['run', 'label', 'system', 'workload', 'started', 'status', 'what was run', ''].map((h) => el('th', {}, h)),
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
            el('td', { class: 'run-label' }, r.label),
            el('td', {}, r.system),
            el('td', {}, r.workload),
            el('td', {}, fmtDate(r.startedAt)),
            el('td', {}, healthBadge(r)),
            el('td', { class: 'run-settings' }, r.settingsText),
            el(
              'td',
              {},
              c.runs.length > 1
                ? el(
                    'button',
                    { type: 'button', class: 'drop', 'aria-label': `drop ${r.label}`, onclick: () => open(idList.filter((_, j) => j !== i)) },
                    'drop',
                  )
                : null,
            ),
          );
        }),
      ),
    ),
  );
  main.append(addRunForm(c, idList, open));
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

  const short = (i) => c.runs[i].label;
  const bars = (title, key, ratioKey, fmt, lowerIsBetter) => {
    const card = el('section', { class: 'card' }, el('h3', {}, title), lowerIsBetter ? el('p', { class: 'note' }, 'lower is better') : null);
    for (const row of c.rows) {
      // an op that moved no bytes has no data rate (n/a): no bars for it
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
    bars('p50 latency', 'p50Us', 'p50Ratio', fmtUs, true),
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
  // the runs' throughput and p99 per second, overlaid (./overlay.js)
  await (await import('./overlay.js')).overlayCharts(main, c.runs);
}

/**
 * Add a run: by its id or the first characters of it (one match needed), or from the recent runs of the
 * compared workload(s).
 */
function addRunForm(c, idList, open) {
  const typed = el('input', { id: 'add-id', name: 'add', placeholder: 'run id or its first characters', size: 26 });
  const recent = el('select', { id: 'add-recent', name: 'recent' }, el('option', { value: '' }, 'recent runs of this workload…'));
  const message = el('span', { class: 'note', id: 'add-message', role: 'status' });
  const form = el(
    'form',
    { class: 'toolbar', id: 'add-run' },
    el('label', { for: 'add-id' }, 'Add a run '),
    typed,
    el('button', { type: 'submit' }, 'Add'),
    el('label', { for: 'add-recent' }, ' or '),
    recent,
    message,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const prefix = typed.value.trim();
    if (!prefix) return;
    try {
      const found = await getJson(`/api/runs?id=${encodeURIComponent(prefix)}&limit=6`);
      if (found.total === 1) open([...idList, found.runs[0].id]);
      else message.textContent = found.total ? `"${prefix}" matches ${found.total} runs: ${found.runs.map((r) => r.id).join(', ')}` : `no run "${prefix}"`;
    } catch (err) {
      message.textContent = err.message;
    }
  });
  recent.addEventListener('change', () => recent.value && open([...idList, recent.value]));
  for (const w of new Set(c.runs.map((r) => r.workload))) {
    getJson(`/api/runs?workload=${encodeURIComponent(w)}&status=completed&limit=20`)
      .then((list) => {
        for (const r of list.runs) {
          if (r.workload === w && !idList.includes(r.id))
            recent.append(el('option', { value: r.id }, `${r.targetName} · ${r.workload} · ${fmtDate(r.startedAt)} (${r.id})`));
        }
      })
      .catch(() => undefined);
  }
  return form;
}

render();
