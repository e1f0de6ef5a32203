// Shared helpers of the dashboard pages. Every text reaches the page through textContent or attribute
// setters, never through innerHTML, so names carrying markup show as text.
import uPlot from '/vendor/uplot/uPlot.esm.js';

/** Build an element: el('td', { class: 'num', title: 'x' }, 'text', childNode, ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Escape text for the rare place that needs an HTML string (none in these pages; kept for callers). */
export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export class ApiError extends Error {}

/** GET a JSON answer; an error answer becomes an ApiError carrying the server's message. */
export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(body.message ?? `${res.status} ${res.statusText}`);
  return body;
}

/** The page skeleton: navigation bar with the current page marked, then the page's main element. */
export function page(current, title) {
  document.title = `${title} · storbench`;
  const links = [
    ['index.html', 'Matrix'],
    ['runs.html', 'Runs'],
    ['schedules.html', 'Schedules'],
    ['/docs', 'API'],
  ];
  const nav = el(
    'nav',
    {},
    el('a', { class: 'brand', href: 'index.html' }, 'storbench'),
    links.map(([href, text]) => el('a', { href, class: text === current ? 'current' : undefined }, text)),
  );
  const main = el('main', {});
  document.body.replaceChildren(el('header', {}, nav), main);
  return main;
}

export function showError(main, e) {
  main.append(el('p', { class: 'error', role: 'alert' }, e instanceof Error ? e.message : String(e)));
}

const units = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];
/** 12345 → "12.3k". */
export function fmtCount(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  for (const [div, suffix] of units) if (Math.abs(n) >= div) return `${(n / div).toFixed(n / div >= 100 ? 0 : 1)}${suffix}`;
  return n >= 100 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1);
}

/** Microseconds → "850 µs", "3.4 ms", "1.20 s". */
export function fmtUs(us) {
  if (us === null || us === undefined) return '–';
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1e6) return `${(us / 1000).toFixed(us < 1e4 ? 2 : us < 1e5 ? 1 : 0)} ms`;
  return `${(us / 1e6).toFixed(2)} s`;
}

export function fmtMib(m) {
  if (!m) return '–';
  return m >= 100 ? `${Math.round(m)} MiB/s` : `${m.toFixed(1)} MiB/s`;
}

export function fmtRatio(r) {
  return r === null || r === undefined ? '–' : `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`;
}

export function fmtDate(iso) {
  if (!iso) return '–';
  return iso
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:\d\dZ$/, ' UTC');
}

/**
 * Background for a ratio where higher is better: neutral near 1, green above, red below, saturating at
 * 4× either way (log scale, so 2× and 0.5× are equally strong).
 */
export function ratioColor(ratio, higherIsBetter = true) {
  if (ratio === null || ratio === undefined || !(ratio > 0)) return '';
  let x = Math.log2(ratio) / 2;
  if (!higherIsBetter) x = -x;
  x = Math.max(-1, Math.min(1, x));
  if (Math.abs(x) < 0.04) return 'hsl(220 14% 96%)';
  const hue = x > 0 ? 142 : 0;
  return `hsl(${hue} ${45 + 30 * Math.abs(x)}% ${95 - 22 * Math.abs(x)}%)`;
}

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563', '#65a30d', '#9333ea'];

/** Colors readers tell apart for `n` series. */
export const colorOf = (i) => PALETTE[i % PALETTE.length];

/** A titled chart card; returns the element the chart goes into. */
export function chartCard(parent, title, note) {
  const body = el('div', { class: 'chart' });
  parent.append(el('section', { class: 'card' }, el('h3', {}, title), note ? el('p', { class: 'note' }, note) : null, body));
  return body;
}

/**
 * A line chart with uPlot. `series` = [{ label, values }], aligned with `x`.
 * Options: logY, yFmt (tick and legend text), xFmt, xSplits, xLabel, yLabel, height.
 */
export function lineChart(container, x, series, opts = {}) {
  const width = Math.max(320, container.clientWidth || 600);
  const yFmt = opts.yFmt ?? ((v) => fmtCount(v));
  const plot = new uPlot(
    {
      width,
      height: opts.height ?? 240,
      scales: { x: { time: false }, y: opts.logY ? { distr: 3 } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      axes: [
        {
          label: opts.xLabel,
          ...(opts.xSplits ? { splits: () => opts.xSplits } : { incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200] }),
          values: (_u, ticks) => ticks.map((t) => (opts.xFmt ? opts.xFmt(t) : String(t))),
          stroke: '#475569',
          grid: { stroke: '#e2e8f0' },
        },
        // uPlot hands null for the minor ticks of a log axis: they stay unlabeled.
        { label: opts.yLabel, size: 64, values: (_u, ticks) => ticks.map((t) => (t === null ? '' : yFmt(t))), stroke: '#475569', grid: { stroke: '#e2e8f0' } },
      ],
      series: [
        { label: opts.xLabel ?? 'x', value: (_u, v) => (v === null || v === undefined ? '–' : opts.xFmt ? opts.xFmt(v) : String(v)) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? colorOf(i),
          width: 2,
          points: { show: false },
          value: (_u, v) => (v === null || v === undefined ? '–' : yFmt(v)),
        })),
      ],
    },
    [x, ...series.map((s) => s.values)],
    container,
  );
  container.dataset.series = String(series.length);
  container.dataset.points = String(x.length);
  // Cards settle into the grid after the chart is made: follow the container's width.
  new ResizeObserver(() => {
    const w = container.clientWidth;
    if (w > 0 && Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height: plot.height });
  }).observe(container);
  return plot;
}

/** x position of a percentile on a "nines" axis: 90 → 1, 99 → 2, 99.9 → 3. */
export const nines = (p) => -Math.log10(1 - p / 100);
export const NINES_SPLITS = [0, 1, 2, 3, 4, 5];
export const ninesLabel = (x) => {
  const p = 100 * (1 - 10 ** -x);
  return x === 0 ? 'min' : `p${Number(p.toFixed(Math.max(0, Math.round(x) - 2)))}`;
};

/**
 * An overlaid latency percentile plot (log latency over a "nines" axis) from the API's curves.
 * `curves` = [{ label, latencyUs: number[] | null }], aligned with `axis` (percentiles).
 */
export function percentileChart(container, axis, curves) {
  const keep = axis.map((p, i) => (p < 100 ? i : -1)).filter((i) => i >= 0);
  const x = keep.map((i) => nines(axis[i]));
  const series = curves
    .filter((c) => c.latencyUs)
    .map((c) => ({
      label: c.label,
      color: c.color,
      values: keep.map((i) => (c.latencyUs[i] > 0 ? c.latencyUs[i] : null)),
    }));
  return lineChart(container, x, series, {
    logY: true,
    yFmt: fmtUs,
    xFmt: ninesLabel,
    xSplits: NINES_SPLITS,
    xLabel: 'percentile',
    yLabel: 'latency',
    height: 280,
  });
}

/** Horizontal grouped bars (plain elements: readable labels, no canvas). */
export function barGroup(parent, title, bars, fmt) {
  const max = Math.max(...bars.map((b) => b.value ?? 0), 0) || 1;
  parent.append(
    el(
      'div',
      { class: 'bar-group' },
      el('div', { class: 'bar-title' }, title),
      bars.map((b) => {
        const fill = el('span', { class: 'bar-fill' });
        fill.style.width = `${Math.max(0.5, (100 * (b.value ?? 0)) / max)}%`;
        fill.style.background = b.color;
        return el(
          'div',
          { class: 'bar-row', title: b.label },
          el('span', { class: 'bar-label' }, b.label),
          el('span', { class: 'bar-track' }, fill),
          el('span', { class: 'bar-value' }, b.value === null ? 'n/a' : fmt(b.value), b.ratio ? el('span', { class: 'bar-ratio' }, ` ${b.ratio}`) : null),
        );
      }),
    ),
  );
}

/**
 * A `table.data`: `head` = [label, numeric?] pairs (numeric columns are right-aligned), `rows` = `tr` elements
 * (see {@link dataRow}).
 */
export function dataTable(attrs, head, rows) {
  return el(
    'table',
    { class: 'data', ...attrs },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        head.map(([label, numeric]) => el('th', { class: numeric ? 'num' : undefined }, label)),
      ),
    ),
    el('tbody', {}, rows),
  );
}

/** A row of {@link dataTable}: `cells` as text or nodes, `numeric` the right-aligned ones by index. */
export function dataRow(attrs, cells, numeric = () => false) {
  return el(
    'tr',
    attrs,
    cells.map((c, i) => el('td', { class: numeric(i) ? 'num' : undefined }, c)),
  );
}

/** A signed offset in milliseconds: "+1.20 ms", "-400 µs", "0 µs". */
export function fmtOffsetMs(ms) {
  if (ms === null || ms === undefined) return '–';
  return `${ms < 0 ? '-' : ms > 0 ? '+' : ''}${fmtUs(Math.abs(ms) * 1000)}`;
}

/** Seconds: "12.5 s", "850 ms". */
export const fmtSeconds = (s) => (s === null || s === undefined ? '–' : fmtUs(s * 1e6));

/** A two-column table of key/value pairs (environment, semantics...). */
export function kvTable(obj) {
  const entries = Object.entries(obj ?? {});
  if (!entries.length) return el('p', { class: 'note' }, 'none recorded');
  return el(
    'table',
    { class: 'kv' },
    el(
      'tbody',
      {},
      entries.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, typeof v === 'object' ? JSON.stringify(v) : String(v)))),
    ),
  );
}

/**
 * A running run's progress record as text. Keys follow the runner's naming: `...Us` are microseconds,
 * `...S` seconds; `elapsedS` of `totalS` reads as a fraction done.
 */
export function fmtProgress(progress) {
  const p = progress ?? {};
  const parts = [];
  if (p.elapsedS !== undefined)
    parts.push(
      p.totalS
        ? `${p.elapsedS.toFixed(0)} of ${p.totalS.toFixed(0)} s (${Math.min(100, (100 * p.elapsedS) / p.totalS).toFixed(0)}%)`
        : `${p.elapsedS.toFixed(0)} s`,
    );
  for (const [k, v] of Object.entries(p)) {
    if (k === 'elapsedS' || k === 'totalS') continue;
    parts.push(`${k.replace(/(Us|S)$/, '')} ${k.endsWith('Us') ? fmtUs(v) : k.endsWith('S') ? `${v} s` : fmtCount(v)}`);
  }
  return parts.join(' · ');
}

/** Query parameters of the page's URL as a plain object, empty values dropped. */
export function pageQuery() {
  const out = {};
  for (const [k, v] of new URLSearchParams(location.search)) if (v !== '') out[k] = v;
  return out;
}
