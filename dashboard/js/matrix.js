// Matrix page: systems × workloads, like-for-like completed runs (one set of settings per workload), colored by
// the ratio to a baseline; a suite's own matrix (?suite=ID) and the matrix as it stood at a date (?asOf=DATE).
import { el, fmtCount, fmtDate, fmtMib, fmtRatio, fmtUs, getJson, healthBadge, page, pageQuery, ratioColor, showError } from './common.js';

/** The page's choices that the API and the exports take. */
const SCOPE = ['baseline', 'suite', 'asOf'];

const main = page('Matrix', 'Matrix');

async function render() {
  const q = pageQuery();
  const params = new URLSearchParams();
  for (const k of SCOPE) if (q[k]) params.set(k, q[k]);
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
    main.append(
      m.suite || m.asOf
        ? el('p', { class: 'note', id: 'empty-scope' }, 'No completed runs in this suite or by this date. ', el('a', { href: 'index.html' }, 'Show all runs'))
        : el('p', { class: 'note' }, 'No completed runs yet. Run `storbench run` or `storbench demo`, then reload.'),
    );
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
  // a suite or a date changes the runs, so the baseline is chosen again (the default of that scope)
  const rescope = (key, value) => {
    const next = new URL(location.href);
    next.searchParams.delete('baseline');
    if (value) next.searchParams.set(key, value);
    else next.searchParams.delete(key);
    history.replaceState(null, '', next);
    render();
  };
  const suite = el(
    'select',
    { id: 'suite', name: 'suite' },
    el('option', { value: '' }, 'all runs'),
    (m.suites ?? []).map((x) => el('option', { value: x.id, selected: x.id === m.suite }, `${x.id} (${fmtDate(x.startedAt)}, ${x.runs} runs)`)),
    // a suite asked for by id that is not among the newest listed
    m.suite && !(m.suites ?? []).some((x) => x.id === m.suite) ? el('option', { value: m.suite, selected: true }, m.suite) : null,
  );
  suite.addEventListener('change', () => rescope('suite', suite.value));
  const asOf = el('input', { id: 'as-of', name: 'asOf', type: 'date', value: (m.asOf ?? '').slice(0, 10) });
  asOf.addEventListener('change', () => rescope('asOf', asOf.value));
  const exportQuery = (format) => {
    const e = new URLSearchParams({ format });
    for (const k of SCOPE) if (m[k]) e.set(k, m[k]);
    return `/api/export/matrix?${e}`;
  };
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
      el('label', { for: 'suite' }, 'Suite '),
      suite,
      el('label', { for: 'as-of' }, 'As of '),
      asOf,
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
      el('a', { class: 'export', href: exportQuery('csv') }, 'CSV'),
      el('a', { class: 'export', href: exportQuery('md') }, 'Markdown'),
    ),
  );

  const head = el(
    'tr',
    {},
    el('th', { class: 'corner' }, 'target'),
    m.workloads.map((w, i) => {
      const column = m.columns[i];
      // The harness ceiling stays out of comparisons: its bars would dwarf every storage system's.
      const ids = m.rows
        .filter((r) => !r.ceiling)
        .map((r) => r.cells[w]?.runId)
        .filter(Boolean);
      return el(
        'th',
        { scope: 'col' },
        el('div', { class: 'wl' }, w),
        el('div', { class: 'settings column-settings' }, column.settingsText),
        column.leftOut.length
          ? el(
              'div',
              { class: 'settings left-out', title: column.leftOut.map((o) => `${o.target}: ${o.runId} (${o.settingsText})`).join('\n') },
              `${column.leftOut.length} newer run${column.leftOut.length === 1 ? '' : 's'} with other settings left out`,
            )
          : null,
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
      m.workloads.map((w) => cell(r.cells[w], r, m, w)),
    ),
  );
  main.append(
    el(
      'div',
      { class: 'matrix-wrap' },
      el(
        'table',
        { class: 'matrix', id: 'matrix' },
        el('caption', { class: 'visually-hidden' }, 'Systems × workloads'),
        el('thead', {}, head),
        el('tbody', {}, body),
      ),
    ),
  );
  main.addEventListener('change', () => {
    compareButton.disabled = main.querySelectorAll('input.pick:checked').length < 2;
  });
  main.append(
    el(
      'p',
      { class: 'note' },
      'Like for like: each workload column shows one set of settings (workload spec, load model and rate, concurrency, threads, clients, verify, duration), ',
      'the one run by the most targets (a tie goes to the newest run), named under the workload; a cell is the latest completed run of its target with exactly those settings. ',
      'Runs set up differently are left out and counted under the workload (hover for which). ',
      'A cell shows total throughput over its operation types, MiB/s when data moved, and the p99 of its slowest operation type. ',
      'The null:// row is storbench measuring itself: no storage system can look faster than that through this harness.',
    ),
  );
}

function cell(c, row, m, workload) {
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
      c.health.level === 'ok' ? null : el('div', {}, healthBadge({ status: 'completed', health: c.health })),
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
      el('div', { class: 'settings cell-settings' }, c.settingsText),
      el('div', { class: 'settings cell-date' }, fmtDate(c.startedAt)),
    ),
    el('input', {
      type: 'checkbox',
      class: 'pick',
      title: 'select for comparison',
      'aria-label': `compare ${row.target} ${workload}`,
      dataset: { run: c.runId },
    }),
  );
  if (c.opsRatio !== undefined && !row.ceiling && row.target !== m.baseline) td.style.background = ratioColor(c.opsRatio);
  return td;
}

render();
