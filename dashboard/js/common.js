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
  // Screen readers announce a cell with its headers: a head cell heads its column, a body one its row.
  if (tag === 'table') for (const th of node.querySelectorAll('th:not([scope])')) th.setAttribute('scope', th.closest('thead') ? 'col' : 'row');
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
  // Absolute: the same bar serves the 404 page of any address, however deep.
  const links = [
    ['/', 'Matrix'],
    ['/runs.html', 'Runs'],
    ['/schedules.html', 'Schedules'],
    ['/docs', 'API'],
  ];
  const nav = el(
    'nav',
    { 'aria-label': 'storbench' },
    el('a', { class: 'brand', href: '/' }, 'storbench'),
    links.map(([href, text]) =>
      el('a', { href, class: text === current ? 'current' : undefined, 'aria-current': text === current ? 'page' : undefined }, text),
    ),
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

/** A ratio with 3 significant digits: "0.00813×", "2.50×", "123×" (never "0.00×"). */
export function fmtRatio(r) {
  if (r === null || r === undefined || !Number.isFinite(r)) return '–';
  if (r >= 999.5) return `${Math.round(r).toLocaleString('en-US')}×`;
  return `${r >= 1 ? r.toPrecision(3) : Number(r.toPrecision(3))}×`;
}

/**
 * A run's status badge from the API's `health` (src/report/health.ts): "completed with errors (38.2% errors)"
 * in amber, interrupted in slate, failed in red; `status` alone where there is no health.
 */
export function healthBadge(r) {
  const level = r.health?.level ?? (r.status === 'completed' ? 'ok' : r.status);
  return el('span', { class: `status ${r.status} health-${level}`, dataset: { health: level } }, r.health?.label ?? r.status);
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

/** Whole-number tick steps (1, 2, 5, 10, 20, 50...) for axes of counts: no "0.3 errors". */
const WHOLE_INCRS = Array.from({ length: 36 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));

const isValue = (v) => v !== null && v !== undefined && Number.isFinite(v);

/**
 * A line chart with uPlot, sized to its container (and following it). `series` = [{ label, values, color?,
 * points?, dash? (uPlot's dash pattern) }], aligned with `x`; `points: true` draws a series as marks only (regressions on a trend). A chart
 * with fewer than three points draws every series as marks (two seconds are not a slope), and one with fewer
 * than two shows `emptyText` instead of axes around nothing.
 *
 * Options: logY, logX, bars (a histogram: bars, not lines), yFmt (tick and legend text), xFmt, xSplits, xTime (x in Unix seconds, shown
 * as UTC dates: a trend, each point marked),
 * xLabel, yLabel, height, title (@default the card's heading), emptyText (@default "no per-second data"),
 * integer (whole-number y ticks; @default true when no yFmt is given: the values are counts).
 *
 * Every chart is an image named by a summary of its data for screen readers, with the data as a table
 * (built when opened) and PNG (legend drawn in) and CSV downloads.
 */
export function lineChart(container, x, series, opts = {}) {
  container.dataset.series = String(series.length);
  container.dataset.points = String(x.length);
  const filled = x.filter((_, i) => series.some((s) => isValue(s.values[i]))).length;
  if (filled < 2) {
    container.append(el('p', { class: 'note empty-chart' }, opts.emptyText ?? 'no per-second data'));
    return null;
  }
  const sparse = filled < 3;
  const title = opts.title ?? container.closest('.card')?.querySelector('h3')?.textContent ?? '';
  const yFmt = opts.yFmt ?? ((v) => fmtCount(v));
  const xText = (v) => (opts.xTime ? fmtDate(new Date(v * 1000).toISOString()) : opts.xFmt ? opts.xFmt(v) : String(v));
  const integer = !opts.logY && (opts.integer ?? !opts.yFmt);
  const plot = new uPlot(
    {
      width: container.clientWidth || 600,
      height: opts.height ?? 240,
      ...(opts.xTime && { tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') }),
      scales: {
        // Marks at the very edges would be cut in half: a sparse chart, or a trend (a mark per run), gets a margin.
        x: {
          time: !!opts.xTime,
          ...(opts.logX && { distr: 3 }),
          ...((sparse || opts.xTime) && { range: (_u, min, max) => [min - ((max - min) * 0.05 || 0.5), max + ((max - min) * 0.05 || 0.5)] }),
        },
        y: opts.logY ? { distr: 3 } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
      },
      legend: { live: true },
      // Charts of one page over the same x (seconds of a run) follow one cursor.
      cursor: { drag: { x: false, y: false }, sync: { key: opts.xLabel ?? 'x' } },
      axes: [
        {
          label: opts.xLabel,
          ...(opts.xTime
            ? {}
            : {
                ...(opts.xSplits ? { splits: () => opts.xSplits } : opts.logX ? {} : { incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200] }),
                values: (_u, ticks) => ticks.map((t) => (t === null ? '' : xText(t))),
              }),
          stroke: '#475569',
          grid: { stroke: '#e2e8f0' },
        },
        {
          label: opts.yLabel,
          size: 64,
          ...(integer && { incrs: WHOLE_INCRS }),
          // uPlot hands null for the minor ticks of a log axis: they stay unlabeled.
          values: (_u, ticks) => {
            const labels = ticks.map((t) => (t === null ? '' : yFmt(t)));
            container.dataset.yTicks = labels.filter(Boolean).join(' | ');
            return labels;
          },
          stroke: '#475569',
          grid: { stroke: '#e2e8f0' },
        },
      ],
      series: [
        { label: opts.xLabel ?? 'x', value: (_u, v) => (isValue(v) ? xText(v) : '–') },
        ...series.map((s, i) => {
          const stroke = s.color ?? colorOf(i);
          return {
            label: s.label,
            stroke,
            width: 2,
            ...(s.dash && { dash: s.dash }),
            ...(opts.bars
              ? { paths: uPlot.paths.bars({ size: [0.9, 40] }), fill: `${stroke}99`, points: { show: false } }
              : s.points || sparse
                ? { paths: () => null, points: { show: true, size: s.points ? 10 : 8, fill: stroke } }
                : { points: { show: !!opts.xTime, size: 6, fill: stroke } }),
            value: (_u, v) => (isValue(v) ? yFmt(v) : '–'),
          };
        }),
      ],
    },
    [x, ...series.map((s) => s.values)],
    container,
  );
  // uPlot's legend is a table of series (rows) and their values at the cursor.
  const legend = plot.root.querySelector('.u-legend');
  legend?.prepend(el('caption', { class: 'visually-hidden' }, `${title}: legend`));
  for (const th of legend?.querySelectorAll('th') ?? []) th.setAttribute('scope', 'row');
  const canvas = plot.ctx.canvas;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', chartSummary(title, x, series, xText, yFmt, opts.xLabel ?? 'x'));
  const head = [[opts.xLabel ?? 'x'], ...series.map((s) => [s.label, true])];
  const table = () =>
    dataTable(
      { caption: `${title}: the chart's data` },
      head,
      x.map((xv, i) => dataRow({}, [xText(xv), ...series.map((s) => (isValue(s.values[i]) ? yFmt(s.values[i]) : '–'))], (c) => c > 0)),
    );
  const details = el('details', { class: 'chart-data' }, el('summary', {}, 'Data table'));
  details.addEventListener('toggle', () => {
    if (details.open && !details.querySelector('table')) details.append(table());
  });
  const name = `storbench-${slug(title || 'chart')}`;
  const csv = () =>
    [head.map(([h]) => h), ...x.map((xv, i) => [opts.xTime ? new Date(xv * 1000).toISOString() : xv, ...series.map((s) => s.values[i] ?? '')])]
      .map((row) => row.map(csvCell).join(','))
      .join('\n');
  container.append(
    el(
      'div',
      { class: 'chart-tools' },
      el(
        'button',
        {
          type: 'button',
          class: 'secondary small',
          'aria-label': `Download ${title} as PNG`,
          onclick: async () => download(await chartPng(plot, title, series), `${name}.png`),
        },
        'PNG',
      ),
      el(
        'button',
        {
          type: 'button',
          class: 'secondary small',
          'aria-label': `Download the data of ${title} as CSV`,
          onclick: () => download(new Blob([`${csv()}\n`], { type: 'text/csv' }), `${name}.csv`),
        },
        'CSV',
      ),
      details,
    ),
  );
  // Cards settle into the grid after the chart is made, and phones turn: follow the container's width.
  new ResizeObserver(() => {
    const w = container.clientWidth;
    if (w > 0 && Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height: plot.height });
  }).observe(container);
  return plot;
}

/** What a chart shows, in words: "Throughput (ops/s): write over second 0 to 9; write from 2.5k to 3.4k." */
function chartSummary(title, x, series, xText, yFmt, xLabel) {
  const ranges = series.map((s) => {
    const v = s.values.filter(isValue);
    return v.length ? `${s.label} from ${yFmt(Math.min(...v))} to ${yFmt(Math.max(...v))}` : `${s.label} no data`;
  });
  return `${title ? `${title}: ` : ''}${series.map((s) => s.label).join(', ')} over ${xLabel} ${xText(x[0])} to ${xText(x.at(-1))}; ${ranges.join('; ')}.`;
}

const slug = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** A CSV field: quoted when needed; text a spreadsheet would run as a formula gets a leading ' (as the API's exports). */
function csvCell(v) {
  if (typeof v === 'number') return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif';

/** The chart as a PNG: its title above, the plot, and its legend (series colours and labels) below. */
function chartPng(plot, title, series) {
  const src = plot.ctx.canvas;
  const dpr = src.width / plot.width;
  const pad = 10;
  const line = 20;
  const measure = document.createElement('canvas').getContext('2d');
  measure.font = `13px ${CHART_FONT}`;
  const items = [];
  let lx = pad;
  let ly = 0;
  series.forEach((s, i) => {
    const w = 18 + measure.measureText(s.label).width + 18;
    if (lx > pad && lx + w > plot.width - pad) {
      lx = pad;
      ly += line;
    }
    items.push({ label: s.label, color: s.color ?? colorOf(i), x: lx, y: ly });
    lx += w;
  });
  const top = title ? pad + line : pad;
  const legendTop = top + plot.height + pad;
  const width = plot.width;
  const height = legendTop + ly + line + pad;
  const out = document.createElement('canvas');
  out.width = Math.round(width * dpr);
  out.height = Math.round(height * dpr);
  const ctx = out.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'middle';
  if (title) {
    ctx.font = `600 14px ${CHART_FONT}`;
    ctx.fillStyle = '#0f172a';
    ctx.fillText(title, pad, pad + line / 2);
  }
  ctx.drawImage(src, 0, top, plot.width, plot.height);
  ctx.font = `13px ${CHART_FONT}`;
  for (const it of items) {
    ctx.fillStyle = it.color;
    ctx.fillRect(it.x, legendTop + it.y + 4, 12, 12);
    ctx.fillStyle = '#334155';
    ctx.fillText(it.label, it.x + 18, legendTop + it.y + 10);
  }
  return new Promise((resolve) => out.toBlob(resolve, 'image/png'));
}

/** Offer `blob` as a file download named `name`. */
function download(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
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
    emptyText: 'no latency samples',
  });
}

/** Horizontal grouped bars (plain elements: readable labels, no canvas). */
export function barGroup(parent, title, bars, fmt) {
  const max = Math.max(...bars.map((b) => b.value ?? 0), 0) || 1;
  // Values spanning 10× or more (the null:// ceiling next to a disk) get a log scale: linear bars would be slivers.
  const positive = bars.map((b) => b.value).filter((v) => v > 0);
  const log = positive.length > 1 && max / Math.min(...positive) >= 10;
  const floor = log ? Math.min(...positive) / 2 : 0;
  const share = (v) => (!(v > 0) ? 0 : log ? Math.log(v / floor) / Math.log(max / floor) : v / max);
  parent.append(
    el(
      'div',
      { class: 'bar-group', dataset: { scale: log ? 'log' : 'linear' } },
      el('div', { class: 'bar-title' }, title, log ? el('span', { class: 'note bar-scale' }, ' · log scale (values span 10× or more)') : null),
      bars.map((b) => {
        const fill = el('span', { class: 'bar-fill' });
        fill.style.width = `${Math.max(0.5, 100 * share(b.value))}%`;
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
 * (see {@link dataRow}); `attrs.caption` names the table for screen readers (a visually hidden caption).
 */
export function dataTable({ caption, ...attrs }, head, rows) {
  return el(
    'table',
    { class: 'data', ...attrs },
    caption ? el('caption', { class: 'visually-hidden' }, caption) : null,
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

/** A two-column table of key/value pairs (environment, semantics...); `caption` names it for screen readers. */
export function kvTable(obj, caption) {
  const entries = Object.entries(obj ?? {});
  if (!entries.length) return el('p', { class: 'note' }, 'none recorded');
  return el(
    'table',
    { class: 'kv' },
    caption ? el('caption', { class: 'visually-hidden' }, caption) : null,
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
