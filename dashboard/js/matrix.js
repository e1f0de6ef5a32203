// Matrix page: systems × workloads, the latest completed run of each pair, colored by the ratio to a baseline.
import { el, fmtCount, fmtMib, fmtRatio, fmtUs, getJson, page, pageQuery, ratioColor, showError } from './common.js';

const main = page('Matrix', 'Matrix');

async function render() {
  const q = pageQuery();
  const params = new URLSearchParams(q.baseline ? { baseline: q.baseline } : {});
  let m;
  try {
    m = await getJson(`/api/matrix${params.size ? `?${params}` : ''}`);
  } catch (e) {
    showError(main, e);
    return;
  }
  // `?baseline=` (empty) is the reader's choice of no baseline: the figures alone, no ratios.
  if (new URLSearchParams(location.search).get('baseline') === '') {
    const strip = ({ opsRatio: _o, mibRatio: _m, p99Ratio: _p, ...c }) => c;
    m = { ...m, baseline: null, rows: m.rows.map((r) => ({ ...r, cells: Object.fromEntries(Object.entries(r.cells).map(([w, c]) => [w, strip(c)])) })) };
  }
  main.replaceChildren();
  main.append(el('h1', {}, 'Systems × workloads'));
  if (!m.rows.length) {
    main.append(el('p', { class: 'note' }, 'No completed runs yet. Run `storbench run` or `storbench demo`, then reload.'));
    return;
  }

  const select = el(
    'select',
    { id: 'baseline', name: 'baseline' },
    el('option', { value: '' }, 'none'),
    m.targets.map((t) => el('option', { value: t, selected: t === m.baseline }, t)),
  );
  select.addEventListener('change', () => {
    const next = new URL(location.href);
    // An empty value keeps "none" rather than falling back to the default baseline.
    next.searchParams.set('baseline', select.value);
    history.replaceState(null, '', next);
    render();
  });
  const compareButton = el('button', { id: 'compare-selected', type: 'button', disabled: true }, 'Compare selected');
  compareButton.addEventListener('click', () => {
    const ids = [...main.querySelectorAll('input.pick:checked')].map((c) => c.dataset.run);
    location.href = `compare.html?ids=${ids.map(encodeURIComponent).join(',')}`;
  });
  main.append(
    el(
      'div',
      { class: 'toolbar' },
      el('label', { for: 'baseline' }, 'Baseline '),
      select,
      el(
        'span',
        { class: 'legend' },
        el('span', { class: 'swatch better' }),
        'faster than the baseline',
        el('span', { class: 'swatch worse' }),
        'slower',
        ' · ratios are throughput (p99 ratio below: lower is better)',
      ),
      compareButton,
      el('a', { class: 'export', href: `/api/export/matrix?format=csv${m.baseline ? `&baseline=${encodeURIComponent(m.baseline)}` : ''}` }, 'CSV'),
      el('a', { class: 'export', href: `/api/export/matrix?format=md${m.baseline ? `&baseline=${encodeURIComponent(m.baseline)}` : ''}` }, 'Markdown'),
    ),
  );

  const head = el(
    'tr',
    {},
    el('th', { class: 'corner' }, 'target'),
    m.workloads.map((w) => {
      // The harness ceiling stays out of comparisons: its bars would dwarf every storage system's.
      const ids = m.rows
        .filter((r) => !r.ceiling)
        .map((r) => r.cells[w]?.runId)
        .filter(Boolean);
      return el(
        'th',
        { scope: 'col' },
        el('div', { class: 'wl' }, w),
        ids.length > 1
          ? el(
              'a',
              { class: 'compare-link', href: `compare.html?ids=${ids.map(encodeURIComponent).join(',')}`, dataset: { workload: w } },
              `compare ${ids.length} →`,
            )
          : null,
      );
    }),
  );
  const body = m.rows.map((r) =>
    el(
      'tr',
      { class: r.ceiling ? 'ceiling' : r.target === m.baseline ? 'baseline' : undefined },
      el(
        'th',
        { scope: 'row' },
        el('a', { class: 'target', href: `runs.html?target=${encodeURIComponent(r.target)}` }, r.target),
        el('div', { class: 'system' }, r.ceiling ? 'harness ceiling (null://)' : `${r.system}${r.target === m.baseline ? ' · baseline' : ''}`),
      ),
      m.workloads.map((w) => cell(r.cells[w], r, m)),
    ),
  );
  main.append(el('div', { class: 'matrix-wrap' }, el('table', { class: 'matrix', id: 'matrix' }, el('thead', {}, head), el('tbody', {}, body))));
  main.addEventListener('change', () => {
    compareButton.disabled = main.querySelectorAll('input.pick:checked').length < 2;
  });
  main.append(
    el(
      'p',
      { class: 'note' },
      'Each cell is the latest completed run: total throughput over its operation types, MiB/s when data moved, and the p99 of its slowest operation type. ',
      'The null:// row is storbench measuring itself: no storage system can look faster than that through this harness.',
    ),
  );
}

function cell(c, row, m) {
  if (!c) return el('td', { class: 'empty' }, '·');
  const td = el(
    'td',
    { class: 'cell' },
    el(
      'a',
      { href: `run.html?id=${encodeURIComponent(c.runId)}`, class: 'cell-link' },
      el('div', { class: 'tp' }, `${fmtCount(c.opsPerSec)} ops/s`),
      c.mibPerSec > 0 ? el('div', { class: 'mib' }, fmtMib(c.mibPerSec)) : null,
      el('div', { class: 'p99' }, `p99 ${fmtUs(c.p99Us)}`),
      c.opsRatio !== undefined && !row.ceiling
        ? el(
            'div',
            { class: 'ratio' },
            row.target === m.baseline ? 'baseline' : fmtRatio(c.opsRatio),
            row.target === m.baseline ? null : el('span', { class: 'p99-ratio' }, ` · p99 ${fmtRatio(c.p99Ratio)}`),
          )
        : null,
      c.regressed ? el('div', { class: 'errors' }, 'regressed') : null,
      c.errors ? el('div', { class: 'errors' }, `${fmtCount(c.errors)} error${c.errors === 1 ? '' : 's'}`) : null,
    ),
    el('input', { type: 'checkbox', class: 'pick', title: 'select for comparison', 'aria-label': 'select for comparison', dataset: { run: c.runId } }),
  );
  if (c.opsRatio !== undefined && !row.ceiling && row.target !== m.baseline) td.style.background = ratioColor(c.opsRatio);
  return td;
}

render();
