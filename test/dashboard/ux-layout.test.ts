/**
 * Issue 19, items 8-10 and the charts of item 6, in a real headless Chromium (as pages.test.ts): phones (390 px)
 * never scroll sideways, unknown addresses get an HTML 404 with the navigation, /docs links back, charts and
 * tables are named for screen readers, charts download as PNG and CSV, schedules have trends with their
 * regressions marked, and short runs get no invented axes.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { ARTIFACTS, type DashboardSession, openDashboard } from './browser.js';
import { SEEDED_SCHEDULE, SHORT_RUNS, seedSchedule, seedShortRuns, seedStore } from './seed.js';

let app: FastifyInstance;
let base: string;
let page: Page;
let session: DashboardSession;

before(async () => {
  session = await openDashboard(
    'ux-layout',
    (seeded) => {
      seedStore(seeded);
      seedSchedule(seeded);
      seedShortRuns(seeded);
    },
    // The 404 page is a 404: Chromium logs that load as a failed resource, as expected.
    { acceptDownloads: true, expectedConsoleErrors: /404 \(Not Found\)/ },
  );
  ({ app, base, page } = session);
});

after(() => session?.close());

const screenshot = (name: string) => session.screenshot(name);
const noProblems = () => session.noProblems();

/** Every kind of page, by the name its screenshot takes. */
const PAGES: readonly (readonly [string, string])[] = [
  ['matrix', '/'],
  ['runs', '/runs.html'],
  ['run', '/run.html?id=run-00004'],
  ['run-failed', '/run.html?id=run-failed'],
  ['compare', '/compare.html?ids=run-00001,run-00002,run-00003'],
  ['schedules', '/schedules.html'],
  ['schedule', `/schedules.html?id=${SEEDED_SCHEDULE}`],
  ['404', '/no/such/page'],
];

/** Open a page and wait until its script has drawn it (its requests done, its charts made). */
async function open(path: string): Promise<void> {
  await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
  await page.waitForSelector('main > *');
}

/** How far the page reaches sideways, and the widest thing in it, for the message. */
const layout = () =>
  page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('main *, nav *')]
      .filter((e) => e.getBoundingClientRect().right > vw + 1 && !e.closest('table.data, .matrix-wrap, details'))
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
      .slice(0, 5);
    return { scrollWidth: document.documentElement.scrollWidth, wide };
  });

test('item 8: at 390 px no page scrolls sideways, the nav is whole and the charts fit their cards', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    for (const [name, path] of PAGES) {
      await open(path);
      const { scrollWidth, wide } = await layout();
      assert.ok(scrollWidth <= 390, `${name}: the page is ${scrollWidth} px wide (${wide.join(', ')})`);
      const nav = await page.$$eval('header nav a', (links) => links.map((a) => ({ text: a.textContent, right: a.getBoundingClientRect().right })));
      assert.deepEqual(
        nav.map((a) => a.text),
        ['storbench', 'Matrix', 'Runs', 'Schedules', 'API'],
      );
      for (const a of nav) assert.ok(a.right <= 390, `${name}: the nav link ${a.text} is cut off at ${a.right} px`);
      const charts = await page.$$eval('.chart', (boxes) =>
        boxes.filter((b) => b.querySelector('canvas')).map((b) => ({ box: b.clientWidth, canvas: b.querySelector('canvas')!.getBoundingClientRect().width })),
      );
      for (const c of charts) assert.ok(c.canvas <= c.box + 1 && c.canvas > 200, `${name}: a ${c.canvas} px chart in a ${c.box} px card`);
      if (name === 'run') assert.ok(charts.length >= 5, 'the run page has its charts');
      if (name === 'runs') {
        const table = await page.$eval('#runs', (t) => ({ overflow: getComputedStyle(t).overflowX, scroll: t.scrollWidth, box: t.clientWidth }));
        assert.equal(table.overflow, 'auto', 'the runs table scrolls in its own box');
        assert.ok(table.scroll > table.box, 'and it is wider than the phone: the box scrolls, not the page');
      }
      await screenshot(`item8-mobile-${name}`);
    }
  } finally {
    await page.setViewportSize({ width: 1360, height: 900 });
  }
  noProblems();
});

test('item 8: at 1360 px nothing regresses: no sideways scroll, charts side by side', async () => {
  for (const [name, path] of PAGES) {
    await open(path);
    const { scrollWidth, wide } = await layout();
    assert.ok(scrollWidth <= 1360, `${name}: the page is ${scrollWidth} px wide (${wide.join(', ')})`);
  }
  await open('/run.html?id=run-00004');
  const tops = await page.$eval('#throughput-chart', (chart) => [...chart.closest('.grid')!.children].slice(0, 2).map((c) => c.getBoundingClientRect().top));
  assert.equal(tops[0], tops[1], 'two chart cards in a row');
  const width = await page.$eval('#throughput-chart canvas', (c) => c.getBoundingClientRect().width);
  assert.ok(width > 500, `a desktop chart is ${width} px wide`);
  noProblems();
});

test('item 9: a browser gets an HTML 404 with the navigation and a way back; API clients keep the JSON error', async () => {
  const res = await page.goto(`${base}/no/such/page?x=1`);
  assert.equal(res?.status(), 404);
  assert.match(res?.headers()['content-type'] ?? '', /^text\/html/);
  await page.waitForSelector('#not-found');
  assert.equal(await page.textContent('h1'), 'Page not found');
  assert.equal(await page.textContent('#not-found'), 'There is no page at /no/such/page.');
  assert.equal(await page.title(), 'Page not found · storbench');
  assert.equal(await page.getByRole('navigation').getByRole('link').count(), 5);
  await screenshot('item9-404');
  await Promise.all([page.waitForURL(`${base}/`), page.getByRole('link', { name: '← Back to the matrix' }).click()]);
  await page.waitForSelector('#matrix td.cell');

  const answer = async (url: string, accept: string) => {
    const r = await app.inject({ url, headers: { accept } });
    return { status: r.statusCode, type: r.headers['content-type'], body: r.body };
  };
  const json = await answer('/no/such/page', 'application/json');
  assert.equal(json.status, 404);
  assert.equal(JSON.parse(json.body).code, 'STORBENCH_ERR_NOT_FOUND');
  const apiFromBrowser = await answer('/api/no-such-route', 'text/html,application/xhtml+xml,*/*;q=0.8');
  assert.equal(apiFromBrowser.status, 404);
  assert.deepEqual(JSON.parse(apiFromBrowser.body), {
    statusCode: 404,
    code: 'STORBENCH_ERR_NOT_FOUND',
    error: 'Not Found',
    message: 'no route GET /api/no-such-route',
  });
  const anyType = await answer('/no/such/file.js', '*/*');
  assert.match(String(anyType.type), /application\/json/, 'a script or curl asking for anything gets JSON');
  const page404 = await answer('/no/such/page', 'text/html');
  assert.equal(page404.status, 404);
  assert.match(page404.body, /<script type="module" src="\/js\/main\.js">/);
  noProblems();
});

test('item 9: /docs links back to the dashboard and labels its URL box; /compare.html without ids links to where runs are picked', async () => {
  await page.goto(`${base}/docs`);
  const back = page.locator('a.storbench-back');
  await back.waitFor();
  assert.equal(await back.textContent(), '← storbench dashboard');
  assert.equal(await page.getByRole('link', { name: 'storbench dashboard', exact: true }).getAttribute('href'), '/', 'the logo links back too');
  assert.equal(await page.getByLabel('OpenAPI document').count(), 1, 'the URL box has a label');
  assert.equal(await page.title(), 'storbench API');
  await screenshot('item9-docs');
  await Promise.all([page.waitForURL(`${base}/`), back.click()]);
  await page.waitForSelector('#matrix td.cell');

  await open('/compare.html');
  assert.equal(await page.textContent('#no-runs'), 'Pick runs to compare on the Matrix or Runs page.');
  assert.equal(await page.locator('#no-runs').getByRole('link', { name: 'Matrix' }).getAttribute('href'), '/');
  assert.equal(await page.locator('#no-runs').getByRole('link', { name: 'Runs' }).getAttribute('href'), '/runs.html');
  noProblems();
});

test('item 10: charts are images with a summary and a data table; checkboxes have distinct names; tables have captions and scopes', async () => {
  await open('/run.html?id=run-00004');
  const run = await (await fetch(`${base}/api/runs/run-00004`)).json();
  const writes = (run.segments as { op: string; second: number; ops: number }[]).filter((s) => s.op === 'write').map((s) => s.ops);
  const chart = page.getByRole('img', { name: /^Throughput \(ops\/s\): write over second 0 to 9; write from / });
  assert.equal(await chart.count(), 1, 'the throughput canvas is an image named by its summary');
  const label = (await chart.getAttribute('aria-label')) ?? '';
  const [low, high] = await fmtCount([Math.min(...writes), Math.max(...writes)]);
  assert.ok(label.endsWith(`write from ${low} to ${high}.`), label);
  const unnamed = await page.$$eval('canvas', (cs) => cs.filter((c) => c.getAttribute('role') !== 'img' || !c.getAttribute('aria-label')).length);
  assert.equal(unnamed, 0, 'every chart canvas is an image with a name');

  const card = page.locator('#throughput-chart');
  await card.getByText('Data table').click();
  const table = card.getByRole('table', { name: "Throughput (ops/s): the chart's data" });
  assert.deepEqual(await table.locator('th[scope="col"]').allTextContents(), ['second', 'write']);
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const shown = await fmtCount(writes);
  assert.deepEqual(
    rows,
    writes.map((_, second) => [String(second), shown[second]]),
  );
  assert.equal(await page.$$eval('th:not([scope])', (ths) => ths.length), 0, 'every header cell of the run page has a scope');
  await screenshot('item10-run-data-table');

  await open('/');
  const names = await page.$$eval('#matrix input.pick', (boxes) => boxes.map((b) => b.getAttribute('aria-label')));
  assert.equal(new Set(names).size, names.length, 'every matrix checkbox has its own name');
  assert.equal(await page.getByRole('checkbox', { name: 'compare ceph-rgw put-small', exact: true }).count(), 1);
  await open('/runs.html?workload=get-small');
  const runNames = await page.$$eval('#runs input.pick', (boxes) => boxes.map((b) => b.getAttribute('aria-label')));
  assert.equal(new Set(runNames).size, runNames.length);
  assert.match(runNames[0] ?? '', /^compare \S+ get-small \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);

  for (const [name, path] of PAGES.filter(([n]) => ['matrix', 'runs', 'run', 'run-failed', 'compare', 'schedule'].includes(n))) {
    await open(path);
    const tables = await page.$$eval('main table', (ts) =>
      ts.map((t) => ({ id: t.id || t.className, caption: t.querySelector(':scope > caption')?.textContent ?? '' })),
    );
    assert.ok(tables.length > 0, name);
    for (const t of tables) assert.ok(t.caption, `${name}: table ${t.id} has a caption`);
    assert.equal(await page.$$eval('th:not([scope])', (ths) => ths.length), 0, `${name}: every header cell has a scope`);
  }
  assert.equal(await page.getByRole('table', { name: 'Runs, newest first' }).count(), 1, 'the schedule runs table is named by its caption');
  noProblems();
});

/** The pages' own fmtCount of each of `values` (the text a chart shows for them). */
function fmtCount(values: readonly number[]): Promise<string[]> {
  const common = '/js/common.js';
  return page.evaluate(async ([module, vs]) => vs.map((await import(module)).fmtCount), [common, values] as const);
}

/** The bytes of the file the page downloads when `click` runs, with its suggested name. */
async function downloaded(click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync((await download.path())!) };
}

test("the review's chart notes: the run page's charts over time follow one cursor", async () => {
  await open('/run.html?id=run-00004');
  const errors = page.locator('section.card', { has: page.locator('h3', { hasText: 'Errors per second' }) });
  const cursorSecond = () => errors.locator('.u-legend .u-series').first().locator('.u-value').textContent();
  assert.equal(await cursorSecond(), '–', 'no cursor yet');
  const over = page.locator('#throughput-chart .u-over');
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  assert.match((await cursorSecond()) ?? '', /^[3-6]$/, 'hovering the middle of the throughput chart shows the same second on the errors chart');
  noProblems();
});

test('item 6: a chart downloads as a PNG with its legend drawn in, and its data as CSV', async () => {
  await open('/run.html?id=run-00004');
  const card = page.locator('#throughput-chart');
  const png = await downloaded(() => card.getByRole('button', { name: 'Download Throughput (ops/s) as PNG' }).click());
  assert.equal(png.name, 'storbench-throughput-ops-s.png');
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  assert.equal(png.bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  const [width, height] = [png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)];
  const plot = await card.locator('canvas').evaluate((c) => ({ width: (c as HTMLCanvasElement).width, height: (c as HTMLCanvasElement).height }));
  assert.equal(width, plot.width, 'as wide as the chart');
  assert.ok(height >= plot.height + 50, `the title and the legend are drawn in: ${height} px for a ${plot.height} px chart`);
  assert.ok(png.bytes.length > 5000, `${png.bytes.length} bytes`);
  writeFileSync(join(ARTIFACTS, 'ux-layout-item6-downloaded-chart.png'), png.bytes);

  const run = await (await fetch(`${base}/api/runs/run-00004`)).json();
  const csv = await downloaded(() => card.getByRole('button', { name: 'Download the data of Throughput (ops/s) as CSV' }).click());
  assert.equal(csv.name, 'storbench-throughput-ops-s.csv');
  const expected = (run.segments as { op: string; second: number; ops: number }[]).filter((s) => s.op === 'write').map((s) => `${s.second},${s.ops}`);
  assert.deepEqual(csv.bytes.toString('utf8').trim().split('\n'), ['second,write', ...expected], 'full precision, one row a second');
  noProblems();
});

test('item 6: the schedule page has a trend per target × workload, regressed runs marked in red', async () => {
  await open(`/schedules.html?id=${SEEDED_SCHEDULE}`);
  const trends = await page.$$eval('.chart.trend', (boxes) =>
    boxes.map((b) => ({
      trend: (b as HTMLElement).dataset.trend,
      points: (b as HTMLElement).dataset.points,
      regressed: (b as HTMLElement).dataset.regressed,
      title: b.closest('.card')!.querySelector('h3')!.textContent,
    })),
  );
  assert.deepEqual(trends, [
    { trend: 'hdfs-3dn · put-small', points: '3', regressed: '1', title: 'hdfs-3dn · put-small: ops/s' },
    { trend: 'hdfs-3dn · put-small', points: '3', regressed: '1', title: 'hdfs-3dn · put-small: p99 (slowest op)' },
  ]);
  const ops = page.getByRole('img', {
    name: /^hdfs-3dn · put-small: ops\/s: ops\/s, regressed over started \(UTC\) 2026-11-21 02:00 UTC to 2026-11-23 02:00 UTC; /,
  });
  assert.equal(await ops.count(), 1);
  const box = page.locator('.chart.trend').first();
  await box.getByText('Data table').click();
  const rows = await box.locator('details tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.deepEqual(
    rows.map((r) => r[0]),
    ['2026-11-21 02:00 UTC', '2026-11-22 02:00 UTC', '2026-11-23 02:00 UTC'],
    'oldest first',
  );
  assert.deepEqual(
    rows.map((r) => r[2] !== '–'),
    [false, false, true],
    'only the last run is marked regressed',
  );
  assert.equal(rows[2]![2], rows[2]![1], 'the mark sits on the run’s own figure');
  // The marks are drawn: pixels of the regression red on the canvas.
  const red = await box.locator('canvas').evaluate((canvas) => {
    const c = canvas as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4)
      if (Math.abs(d[i]! - 0xb9) < 12 && Math.abs(d[i + 1]! - 0x1c) < 12 && Math.abs(d[i + 2]! - 0x1c) < 12 && d[i + 3]! > 200) n++;
    return n;
  });
  assert.ok(red > 30, `${red} red pixels`);
  await screenshot('item6-schedule-trend');
  noProblems();
});

test('item 6: a run of one second shows "no per-second data"; two seconds are points, counts tick in whole numbers', async () => {
  await open(`/run.html?id=${SHORT_RUNS.oneSecond}`);
  const perSecond = await page.$$eval('.grid .card', (cards) =>
    cards
      .filter((c) => c.id === 'throughput-chart' || c.querySelector('#throughput-chart') || /per second/.test(c.querySelector('h3')?.textContent ?? ''))
      .map((c) => c.querySelector('.chart')!.textContent),
  );
  assert.ok(perSecond.length >= 3, 'the over-time cards are there');
  for (const text of perSecond) assert.equal(text, 'no per-second data');
  assert.equal(await page.$('#throughput-chart canvas'), null, 'no axes around nothing');
  await screenshot('item6-one-second-run');

  await open(`/run.html?id=${SHORT_RUNS.twoSeconds}`);
  // A line from the first second to the second would colour most columns of the plot; two marks colour two narrow bands.
  const columns = await page.$eval('#throughput-chart canvas', (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const cols = new Set<number>();
    for (let i = 0; i < d.length; i += 4)
      if (Math.abs(d[i]! - 0x25) < 30 && Math.abs(d[i + 1]! - 0x63) < 30 && Math.abs(d[i + 2]! - 0xeb) < 30) cols.add((i / 4) % c.width);
    return { coloured: cols.size, width: c.width };
  });
  assert.ok(columns.coloured > 0 && columns.coloured < 40, `${columns.coloured} of ${columns.width} columns carry the series`);
  const errors = page.locator('section.card', { has: page.locator('h3', { hasText: 'Errors per second' }) }).locator('.chart');
  const ticks = ((await errors.getAttribute('data-y-ticks')) ?? '').split(' | ');
  assert.ok(ticks.includes('1'), ticks.join(' '));
  for (const t of ticks) assert.match(t, /^\d+$/, `whole errors only: ${ticks.join(' ')}`);
  await screenshot('item6-two-second-run');
  noProblems();
});
