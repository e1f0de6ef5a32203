// Compare page: the runs' throughput and p99 over time, overlaid (x = seconds since the measured window opened,
// one series per run), one pair of charts per operation type, from each run's own `/api/runs/:id`.
import { chartCard, colorOf, el, fmtUs, getJson, lineChart } from './common.js';

/**
 * The runs' labels: the compare answer's (`label`: target and a short id, distinct), else the target, with the start
 * when another run has the same target.
 */
function labels(runs) {
  return runs.map((r, i) => {
    if (r.label) return r.label;
    const twin = runs.some((o, j) => j !== i && o.targetName === r.targetName);
    return `${r.targetName}${twin ? ` ${r.startedAt.slice(5, 16).replace('T', ' ')}` : ''}`;
  });
}

/** `values` of one op's segments by second, over `x` (null where the run has no such second). */
function along(x, segments, op, value) {
  const bySecond = new Map(segments.filter((s) => s.op === op).map((s) => [s.second, s]));
  return x.map((second) => {
    const s = bySecond.get(second);
    return s ? value(s) : null;
  });
}

/**
 * Whether the series' peaks span 10× or more (null:// beside real storage): a linear axis would flatten the
 * slower runs into slivers at its foot, so their throughput goes on a log axis, as the compare bars do.
 */
function spansDecade(series) {
  const peaks = series.map((s) => s.values.reduce((m, v) => Math.max(m, v ?? 0), 0)).filter((v) => v > 0);
  return peaks.length > 1 && Math.max(...peaks) >= 10 * Math.min(...peaks);
}

/** Append the overlay section for `runs` (the compare answer's runs, reference first) to `main`. */
export async function overlayCharts(main, runs) {
  const section = el('section', { id: 'overlay' }, el('h2', {}, 'Over time, overlaid'));
  main.append(section);
  let details;
  try {
    details = await Promise.all(runs.map((r) => getJson(`/api/runs/${encodeURIComponent(r.id)}`)));
  } catch (e) {
    section.append(el('p', { class: 'error' }, `per-second figures: ${e.message ?? e}`));
    return;
  }
  const names = labels(runs);
  const ops = [...new Set(details.flatMap((d) => d.segments.map((s) => s.op)))];
  if (!ops.length) {
    section.append(el('p', { class: 'note' }, 'None of these runs has per-second figures.'));
    return;
  }
  section.append(el('p', { class: 'note' }, 'x: seconds since each run’s measured window opened (warm-up excluded); one line per run.'));
  const grid = el('div', { class: 'grid' });
  section.append(grid);
  for (const op of ops) {
    const seconds = [...new Set(details.flatMap((d) => d.segments.filter((s) => s.op === op).map((s) => s.second)))].sort((a, b) => a - b);
    const series = (value) => details.map((d, i) => ({ label: names[i], color: colorOf(i), values: along(seconds, d.segments, op, value) }));
    const throughput = series((s) => s.ops);
    const log = spansDecade(throughput);
    // a log axis has no 0: a second without operations shows as a gap
    if (log) for (const t of throughput) t.values = t.values.map((v) => (v > 0 ? v : null));
    const tp = chartCard(grid, `${op}: throughput over time (ops/s${log ? ', log scale: the runs span 10× or more' : ''})`);
    tp.classList.add('overlay-throughput');
    tp.dataset.scale = log ? 'log' : 'linear';
    lineChart(tp, seconds, throughput, { xLabel: 'second', logY: log });
    const p99 = chartCard(grid, `${op}: p99 over time`, 'Runs stored before p99 per second was kept show no line.');
    p99.classList.add('overlay-p99');
    lineChart(
      p99,
      seconds,
      series((s) => (s.ops ? (s.latencyP99Us ?? null) : null)),
      { xLabel: 'second', yFmt: fmtUs, logY: true },
    );
  }
}
