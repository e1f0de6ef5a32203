/**
 * The run page's latency detail and links, and the compare page's overlay, in a real headless Chromium (as
 * pages.test.ts: Debian's chromium driven by playwright-core, never a downloaded browser), on a seeded database
 * with two open-loop runs, a regressed scheduled run and a one-hour run. Issue 19, items 4 (links), 5 and 6.
 */
import assert from 'node:assert/strict';
import { cpus, loadavg } from 'node:os';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import type { ResultsStore } from '../../src/results/types.js';
import { type DashboardSession, openDashboard } from './browser.js';
import {
  HOUR_RUN,
  OPEN_LOOP_RATE,
  OPEN_LOOP_RUNS,
  OPEN_LOOP_SECONDS,
  SEEDED_SCHEDULE,
  seedHourRun,
  seedOpenLoopRuns,
  seedSchedule,
  seedStore,
} from './seed.js';

/** The pages' shared module, to format figures in the page exactly as the page does. */
const COMMON_JS = '/js/common.js';
let store: ResultsStore;
let app: FastifyInstance;
let base: string;
let page: Page;
let regressedRun: string;
let session: DashboardSession;

before(async () => {
  session = await openDashboard('ux-run', (seeded) => {
    seedStore(seeded);
    regressedRun = seedSchedule(seeded).regressedRun;
    seedOpenLoopRuns(seeded);
    seedHourRun(seeded);
  });
  ({ store, app, base, page } = session);
});

after(() => session?.close());

const screenshot = (name: string) => session.screenshot(name);
const noProblems = () => session.noProblems();
const inkedPixels = (selector: string) => session.inkedPixels(selector);

/** The legend labels of the chart in `selector` (the x series first). */
const legend = (selector: string) => page.$$eval(`${selector} .u-legend .u-label`, (els) => els.map((e) => e.textContent ?? ''));

const api = async (path: string) => (await app.inject(path)).json() as Record<string, any>;

test('item 5: an open-loop run page shows service time, TTFB and mean IO rate, the offered-rate line and p99 per second', async () => {
  const run = await api(`/api/runs/${OPEN_LOOP_RUNS.after}`);
  const read = run.ops[0];
  await page.goto(`${base}/run.html?id=${OPEN_LOOP_RUNS.after}`);
  await page.waitForSelector('#latency-chart canvas');
  const cells = await page.$$eval('#service tbody td', (tds) => tds.map((td) => td.textContent));
  // the page's own number formats, from the page's own module
  const expected = await page.evaluate(
    async ({ o, url }) => {
      const { fmtUs, fmtMib } = await import(url);
      return [o.op, ...[o.latencyUs, o.serviceUs, o.ttfbUs].flatMap((l) => [fmtUs(l.p50), fmtUs(l.p99)]), fmtMib(o.meanIoRateMibPerSec)];
    },
    { o: read, url: COMMON_JS },
  );
  assert.deepEqual(cells, expected);
  assert.ok(read.latencyUs.p99 > read.serviceUs.p99 * 2, 'the seeded stall makes response p99 far above service p99');
  assert.match((await page.textContent('#service-note')) ?? '', /coordinated omission/);

  assert.deepEqual((await legend('#throughput-chart')).slice(1), ['read', 'offered']);
  assert.match(await page.$eval('#throughput-chart', (e) => e.closest('.card')?.textContent ?? ''), /dashed line is the offered rate/);
  assert.equal(await page.$eval('#throughput-chart', (e) => (e as HTMLElement).dataset.points), String(OPEN_LOOP_SECONDS));
  // the chart's data table: the offered column is the run's rate in every second
  await page.click('#throughput-chart details.chart-data summary');
  const offered = await page.$$eval('#throughput-chart details.chart-data tbody tr', (trs) => trs.map((tr) => tr.lastElementChild?.textContent));
  const rateText = await page.evaluate(async ({ rate, url }) => (await import(url)).fmtCount(rate), { rate: OPEN_LOOP_RATE, url: COMMON_JS });
  assert.deepEqual(
    offered,
    Array.from({ length: OPEN_LOOP_SECONDS }, () => rateText),
  );

  assert.deepEqual((await legend('#latency-chart')).slice(1), ['read p99', 'read mean', 'read max']);
  assert.ok((await inkedPixels('#latency-chart canvas')) > 1000);
  // the stalled second's p99 is the highest: the chart's data table has it
  const p99s = run.segments.map((s: any) => s.latencyP99Us);
  assert.equal(p99s.length, OPEN_LOOP_SECONDS);
  assert.equal(p99s.indexOf(Math.max(...p99s)), 8);
  assert.match(await page.$eval('#percentile-chart', (e) => e.closest('.card')?.textContent ?? ''), /read service/);
  await screenshot('item5-open-loop');
  noProblems();
});

test('item 6: a run on two threads lists each thread, and says how far apart they are', async () => {
  await page.goto(`${base}/run.html?id=${OPEN_LOOP_RUNS.after}`);
  await page.waitForSelector('#threads tbody tr');
  assert.equal(await page.textContent('#threads-heading'), 'Threads (2)');
  const rows = await page.$$eval('#threads tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.deepEqual(
    rows.map((r) => r.slice(0, 2)),
    [
      ['0', 'read'],
      ['1', 'read'],
    ],
  );
  assert.match((await page.textContent('#threads-spread')) ?? '', /read: slowest thread 67% of the fastest/);
  await page.locator('#threads').scrollIntoViewIfNeeded();
  await screenshot('item6-threads');
  noProblems();
});

test('item 6: the histogram and the CDF of each op render with the bins of the export', async () => {
  await page.goto(`${base}/run.html?id=${OPEN_LOOP_RUNS.after}`);
  await page.waitForSelector('.cdf-chart canvas');
  const csv = (await app.inject(`/api/runs/${OPEN_LOOP_RUNS.after}/histogram.csv?op=read`)).body.trim().split('\r\n').slice(1);
  assert.ok(csv.length > 20, `${csv.length} bins`);
  assert.equal(await page.$eval('.histogram-chart', (e) => (e as HTMLElement).dataset.points), String(csv.length));
  assert.equal(await page.$eval('.cdf-chart', (e) => (e as HTMLElement).dataset.points), String(csv.length));
  assert.ok((await inkedPixels('.histogram-chart canvas')) > 1000, 'the bars are drawn');
  assert.ok((await inkedPixels('.cdf-chart canvas')) > 1000, 'the CDF is drawn');
  await page.locator('#distribution').scrollIntoViewIfNeeded();
  await screenshot('item6-distribution');
  noProblems();
});

test('item 4: the run page links to comparisons with the runs before it, its other runs, its schedule and exports, and all resolve', async () => {
  await page.goto(`${base}/run.html?id=${OPEN_LOOP_RUNS.after}`);
  await page.waitForSelector('#compare-links a');
  const compare = await page.$eval('#compare-links a', (a) => (a as HTMLAnchorElement).getAttribute('href'));
  assert.equal(compare, `/compare.html?ids=${OPEN_LOOP_RUNS.before},${OPEN_LOOP_RUNS.after}`);
  // the first open-loop run has no earlier run of hdfs-3dn get-small: it says so
  await page.goto(`${base}/run.html?id=${OPEN_LOOP_RUNS.before}`);
  await page.waitForFunction(() => {
    const text = document.querySelector('#compare-links')?.textContent;
    return text !== undefined && !text.includes('looking');
  });
  assert.match((await page.textContent('#compare-links')) ?? '', /no earlier completed run/);

  await page.goto(`${base}/run.html?id=${regressedRun}`);
  await page.waitForSelector('#compare-links a');
  const banner = (await page.textContent('#regression')) ?? '';
  assert.match(banner, /^REGRESSED: write ops\/s 3\.0k → 1\.5k \(-50%\) against the median of 2 earlier runs of schedule nightly-hdfs\.$/);
  const links = await page.$$eval('#run-links a, #regression a', (as) => as.map((a) => ({ text: a.textContent, href: (a as HTMLAnchorElement).href })));
  assert.deepEqual(
    links.map((l) => l.text),
    [
      SEEDED_SCHEDULE,
      'compare with the previous run',
      'and the one before it',
      'other runs of hdfs-3dn · put-small',
      'suite schedule-2',
      `schedule ${SEEDED_SCHEDULE}`,
      'JSON',
      'per-second CSV',
      'write bins CSV',
    ],
  );
  assert.match(links[2]!.href, /compare\.html\?ids=sched-run-0,sched-run-1,sched-run-2$/);
  for (const l of links) {
    const res = await fetch(l.href);
    assert.equal(res.status, 200, `${l.text} → ${l.href}`);
  }
  await screenshot('item4-regressed-links');
  await Promise.all([page.waitForURL(/schedules\.html\?id=nightly-hdfs/), page.click('#regression a')]);
  await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('0 2 * * *'));
  noProblems();
});

test('item 6: the compare page overlays the runs’ throughput and p99 over time, one labelled series per run', async () => {
  await page.goto(`${base}/compare.html?ids=${OPEN_LOOP_RUNS.before},${OPEN_LOOP_RUNS.after}`);
  await page.waitForSelector('.overlay-p99 canvas');
  for (const chart of ['.overlay-throughput', '.overlay-p99']) {
    assert.equal(await page.$eval(chart, (e) => (e as HTMLElement).dataset.series), '2');
    assert.equal(await page.$eval(chart, (e) => (e as HTMLElement).dataset.points), String(OPEN_LOOP_SECONDS));
    const labels = (await legend(chart)).slice(1);
    assert.deepEqual(labels, await page.$$eval('#compare-runs .run-label', (tds) => tds.map((td) => td.textContent)), 'the runs as the page labels them');
    assert.equal(new Set(labels).size, 2, 'two runs of one target are told apart');
    assert.ok((await inkedPixels(`${chart} canvas`)) > 1000, `${chart} drew its lines`);
  }
  assert.equal(await page.$eval('.overlay-throughput', (e) => (e as HTMLElement).dataset.scale), 'linear', 'two runs of one system: linear');
  await page.locator('#overlay').scrollIntoViewIfNeeded();
  await screenshot('item6-overlay');
  // beside null:// (the harness ceiling, 40× the seeded storage), a linear axis would flatten the storage run
  await page.goto(`${base}/compare.html?ids=run-00007,run-00012`);
  await page.waitForSelector('.overlay-throughput canvas');
  assert.equal(await page.$eval('.overlay-throughput', (e) => (e as HTMLElement).dataset.scale), 'log');
  assert.match(await page.$eval('.overlay-throughput', (e) => e.closest('.card')?.querySelector('h3')?.textContent ?? ''), /log scale/);
  noProblems();
});

test("item 7: a one-hour run's page (3,600 s × 4 op types of segments): its data loads in under 300 ms; the time to its last chart is printed", async () => {
  // the page's modules are in the browser's cache (as for any reader who opened a page before); the run's answer is not:
  // each try writes to the database first, so the server computes the answer again
  await page.goto(`${base}/run.html?id=${OPEN_LOOP_RUNS.before}`);
  await page.waitForSelector('#latency-chart canvas');
  const tries: { ms: number; api: number }[] = [];
  for (let i = 0; i < 3; i++) {
    store.setRegression(HOUR_RUN, null);
    await page.goto(`${base}/run.html?id=${HOUR_RUN}`);
    await page.waitForFunction(() => document.querySelectorAll('#latency-chart canvas, #throughput-chart canvas, .cdf-chart canvas').length === 6);
    // from the request for the run's figures to the last chart drawn: the API and the render, not the page's shell
    tries.push(
      await page.evaluate(() => {
        const done = performance.now();
        const run = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((e) => /\/api\/runs\/run-hour$/.test(e.name))!;
        return { ms: Math.round(done - run.startTime), api: Math.round(run.responseEnd - run.startTime) };
      }),
    );
  }
  assert.equal(await page.$eval('#throughput-chart', (e) => (e as HTMLElement).dataset.points), '3600');
  const best = tries.reduce((a, b) => (b.ms < a.ms ? b : a));
  const load = loadavg()[0]! / cpus().length;
  console.log(
    `# one-hour run page: best of 3: its data in ${best.api} ms, the last chart drawn ${best.ms} ms after the request for it; load ${load.toFixed(1)} per CPU`,
  );
  // issue 19's budget is the data: the request for the run's figures until they are in the page
  assert.ok(best.api < 300, `the one-hour run's data took ${best.api} ms (budget 300 ms)`);
  noProblems();
});

test('the new sections fit a 390 px phone: no sideways scroll on an open-loop run page or the overlay', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    for (const path of [`/run.html?id=${OPEN_LOOP_RUNS.after}`, `/compare.html?ids=${OPEN_LOOP_RUNS.before},${OPEN_LOOP_RUNS.after}`]) {
      await page.goto(`${base}${path}`);
      await page.waitForSelector(path.startsWith('/run') ? '.cdf-chart canvas' : '.overlay-p99 canvas');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${path}: ${width} px wide`);
    }
    await screenshot('item6-overlay-mobile');
  } finally {
    await page.setViewportSize({ width: 1360, height: 900 });
  }
  noProblems();
});
