// Runs page: every run, newest first or sorted by a column (server-side, so the order spans every page), with
// filters (target and workload match any part), pagination and selection for comparison.
import { el, fmtCount, fmtDate, fmtProgress, fmtSeconds, fmtUs, getJson, healthBadge, page, pageQuery, showError } from './common.js';

const main = page('Runs', 'Runs');
const PAGE = 50;
const FIELDS = ['target', 'system', 'workload', 'status', 'since', 'until', 'sort', 'order'];

/** The columns: header, the API's sort key (none: not sortable), numeric. */
const COLUMNS = [
  ['', null],
  ['started', 'started'],
  ['target', 'target'],
  ['system', 'system'],
  ['workload', 'workload'],
  ['status', 'status'],
  ['what was run', null],
  ['ops/s', 'opsPerSec', true],
  ['p99 (slowest op)', 'p99Us', true],
  ['measured', 'measured', true],
];

async function render() {
  const q = pageQuery();
  const offset = Math.max(0, Number.parseInt(q.offset ?? '0', 10) || 0);
  const params = new URLSearchParams();
  for (const f of FIELDS) if (q[f]) params.set(f, q[f]);
  params.set('limit', String(PAGE));
  params.set('offset', String(offset));

  const input = (name, type = 'text') => el('label', {}, name, el('input', { type, name, value: q[name] ?? '' }));
  const status = el(
    'select',
    { name: 'status' },
    ['', 'completed', 'degraded', 'running', 'failed', 'interrupted'].map((s) => el('option', { value: s, selected: (q.status ?? '') === s }, s || 'any')),
  );
  main.append(
    el('h1', {}, 'Runs'),
    el(
      'form',
      { class: 'filters', method: 'get', action: 'runs.html' },
      input('target'),
      input('system'),
      input('workload'),
      el('label', {}, 'status', status),
      input('since', 'date'),
      input('until', 'date'),
      q.sort ? el('input', { type: 'hidden', name: 'sort', value: q.sort }) : null,
      q.order ? el('input', { type: 'hidden', name: 'order', value: q.order }) : null,
      el('button', { type: 'submit' }, 'Filter'),
      el('a', { href: 'runs.html' }, 'clear'),
    ),
  );

  let list;
  try {
    list = await getJson(`/api/runs?${params}`);
  } catch (e) {
    showError(main, e);
    return;
  }
  const compare = el('button', { type: 'button', id: 'compare-selected', disabled: true }, 'Compare selected');
  compare.addEventListener('click', () => {
    const ids = [...main.querySelectorAll('input.pick:checked')].map((c) => c.dataset.run);
    location.href = `compare.html?ids=${ids.map(encodeURIComponent).join(',')}`;
  });
  const exportQuery = new URLSearchParams(params);
  exportQuery.delete('limit');
  exportQuery.delete('offset');
  main.append(
    el(
      'div',
      { class: 'toolbar' },
      compare,
      el('span', { class: 'note' }, `${list.total} run${list.total === 1 ? '' : 's'}`),
      el('a', { class: 'export', href: `/api/export/runs?format=csv&${exportQuery}` }, 'CSV'),
      el('a', { class: 'export', href: `/api/export/runs?format=md&${exportQuery}` }, 'Markdown'),
    ),
  );

  const rows = list.runs.map((r) => {
    const tp = r.ops.reduce((n, o) => n + o.opsPerSec, 0);
    // a run that measured nothing (failed, interrupted early) has no figures: "–", never "0 ops/s"
    const measured = r.ops.some((o) => o.count > 0);
    const p99 = Math.max(0, ...r.ops.map((o) => o.p99Us));
    const live = r.status === 'running' && r.progress ? el('div', { class: 'note' }, fmtProgress(r.progress)) : null;
    return el(
      'tr',
      {},
      el(
        'td',
        {},
        el('input', { type: 'checkbox', class: 'pick', 'aria-label': `compare ${r.targetName} ${r.workload} ${fmtDate(r.startedAt)}`, dataset: { run: r.id } }),
      ),
      el('td', {}, el('a', { href: `run.html?id=${encodeURIComponent(r.id)}` }, fmtDate(r.startedAt))),
      el('td', {}, r.targetName),
      el('td', {}, r.system),
      el('td', {}, r.workload),
      el(
        'td',
        {},
        healthBadge(r),
        r.regression?.regressed ? el('span', { class: 'status failed regressed' }, 'regressed') : null,
        live,
        r.error ? el('div', { class: 'note' }, r.error) : null,
      ),
      el('td', { class: 'settings' }, r.settingsText),
      el('td', { class: 'num' }, measured ? fmtCount(tp) : '–'),
      el('td', { class: 'num' }, measured ? fmtUs(p99) : '–'),
      el('td', { class: 'num' }, r.measuredSeconds ? fmtSeconds(r.measuredSeconds) : '–'),
    );
  });
  main.append(
    el(
      'table',
      { class: 'data', id: 'runs' },
      el('caption', { class: 'visually-hidden' }, 'Runs, newest first'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          COLUMNS.map(([h, key, numeric]) => sortableHead(q, h, key, numeric)),
        ),
      ),
      el('tbody', {}, rows),
    ),
  );
  main.addEventListener('change', () => {
    compare.disabled = main.querySelectorAll('input.pick:checked').length < 2;
  });

  const link = (o) => {
    const next = new URLSearchParams(q);
    next.set('offset', String(o));
    return `runs.html?${next}`;
  };
  main.append(
    el(
      'div',
      { class: 'pager' },
      offset > 0 ? el('a', { href: link(Math.max(0, offset - PAGE)) }, '← newer') : null,
      el('span', { class: 'note' }, list.total ? `${offset + 1}–${Math.min(offset + PAGE, list.total)} of ${list.total}` : 'no runs match'),
      offset + PAGE < list.total ? el('a', { href: link(offset + PAGE) }, 'older →') : null,
    ),
  );
}

/**
 * A column head; a sortable one is a button (click, Enter or Space) that sorts the list by it, descending
 * first, and again ascending; `aria-sort` says the current order.
 */
function sortableHead(q, label, key, numeric) {
  const cls = numeric ? 'num' : undefined;
  if (!key) return el('th', { class: cls }, label);
  const current = (q.sort ?? 'started') === key;
  const order = current ? (q.order ?? 'desc') : null;
  const next = new URLSearchParams(q);
  next.set('sort', key);
  next.set('order', order === 'desc' ? 'asc' : 'desc');
  next.delete('offset');
  const button = el(
    'button',
    { type: 'button', class: 'sort', dataset: { sort: key }, onclick: () => (location.href = `runs.html?${next}`) },
    label,
    current ? (order === 'asc' ? ' ▲' : ' ▼') : '',
  );
  return el('th', { class: cls, 'aria-sort': order === 'asc' ? 'ascending' : order === 'desc' ? 'descending' : 'none' }, button);
}

render();
