/**
 * The dashboard pages in a real headless Chromium (Debian's, driven by playwright-core; scripts/test.sh
 * installs it through scripts/ensure-chromium.sh, nothing ever downloads a browser), on a seeded database.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ResultsStore } from '../../src/results/types.js';
import { type DashboardSession, openDashboard } from './browser.js';
import { MARKUP_TARGET, MULTI_CLIENT_RUN, SEEDED_SCHEDULE, seedMultiClientRun, seedSchedule, seedStore, TARGETS } from './seed.js';

let store: ResultsStore;
let base: string;
let page: Page;
let session: DashboardSession;
let problems: string[];

before(async () => {
  session = await openDashboard('dashboard', (seeded) => {
    seedStore(seeded);
  });
  ({ store, base, page, problems } = session);
});

after(() => session?.close());

const screenshot = (name: string) => session.screenshot(name);
const noProblems = () => session.noProblems();
const inkedPixels = (selector: string) => session.inkedPixels(selector);

/** Pixels of a canvas that are not blank: proof that a chart drew something. */
test('the matrix shows every target × workload with figures, the stored baseline and markup as text', async () => {
  await page.goto(`${base}/`);
  await page.waitForSelector('#matrix td.cell');
  const targets = await page.$$eval('#matrix tbody th .target', (els) => els.map((e) => e.textContent));
  assert.equal(targets.length, TARGETS.length);
  assert.equal(targets[0], 'hdfs-3dn', 'the baseline row comes first');
  assert.equal(targets.at(-1), 'null', 'the harness ceiling comes last');
  assert.ok(targets.includes(MARKUP_TARGET), 'a target name with markup is shown as text');
  assert.equal(await page.$$eval('img', (els) => els.length), 0, 'the markup did not become an element');
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  assert.equal(await page.$eval('#baseline', (s) => (s as HTMLSelectElement).value), 'hdfs-3dn');
  const cells = await page.$$eval('#matrix td.cell', (els) => els.map((e) => ({ text: e.textContent ?? '', bg: (e as HTMLElement).style.background })));
  assert.equal(cells.length, TARGETS.length * 5);
  for (const c of cells) assert.match(c.text, /\d[\d.]*[kM]? ops\/s.*p99 \d/);
  assert.ok(cells.filter((c) => c.bg).length >= 15, 'cells are colored by their ratio to the baseline');
  assert.match(await page.$eval('#matrix tr.ceiling th', (e) => e.textContent ?? ''), /harness ceiling/);
  await screenshot('matrix');
  noProblems();
});

test('choosing another baseline recolors the matrix', async () => {
  await page.selectOption('#baseline', 'ceph-rgw');
  await page.waitForFunction(() => document.querySelector('#matrix tbody th .target')?.textContent === 'ceph-rgw');
  assert.match(page.url(), /baseline=ceph-rgw/);
  noProblems();
});

test('clicking a workload opens the comparison with bars and an overlaid percentile plot', async () => {
  await page.goto(`${base}/`);
  await page.waitForSelector('#matrix td.cell');
  await Promise.all([page.waitForURL(/compare\.html\?ids=/), page.click('a.compare-link[data-workload="put-small"]')]);
  await page.waitForSelector('#percentile-chart canvas');
  const storageTargets = TARGETS.length - 1; // the null:// ceiling stays out of comparisons
  assert.equal(await page.$$eval('#compare-runs tbody tr', (r) => r.length), storageTargets);
  assert.equal(await page.$eval('#percentile-chart', (e) => (e as HTMLElement).dataset.series), String(storageTargets), 'one percentile curve per run');
  assert.ok((await inkedPixels('#percentile-chart canvas')) > 2000, 'the percentile plot drew its curves');
  const bars = await page.$$eval('#bars .bar-row .bar-value', (els) => els.map((e) => e.textContent ?? ''));
  assert.ok(
    bars.some((b) => /\d[kM]? ops\/s/.test(b)),
    'the throughput bars carry figures',
  );
  assert.ok(
    bars.some((b) => /\d(\.\d+)?×/.test(b)),
    'bars carry ratios to the first run',
  );
  await screenshot('compare');
  noProblems();
});

test('a run page charts throughput over time and its percentiles, and lists errors by kind', async () => {
  await page.goto(`${base}/run.html?id=run-00004`);
  await page.waitForSelector('#throughput-chart canvas');
  assert.equal(await page.$eval('#throughput-chart', (e) => (e as HTMLElement).dataset.points), '10', 'ten seconds of segments');
  assert.ok((await inkedPixels('#throughput-chart canvas')) > 1000);
  assert.ok((await inkedPixels('#percentile-chart canvas')) > 1000);
  assert.match(await page.$eval('#errors', (e) => e.textContent ?? ''), /Timeout/);
  assert.match((await page.textContent('main')) ?? '', /writeDurability/);
  await screenshot('run');
  noProblems();
});

test('a multi-client run page has a Clients section: a row per client, stragglers flagged in words, first and last done', async () => {
  seedMultiClientRun(store);
  try {
    await page.goto(`${base}/run.html?id=${MULTI_CLIENT_RUN}`);
    await page.waitForSelector('#clients tbody tr');
    assert.equal(await page.textContent('#clients-heading'), 'Clients (5)');
    assert.deepEqual(await page.$$eval('#clients thead th', (ths) => ths.map((th) => th.textContent)), [
      'rank',
      'host',
      'status',
      'ops/s',
      'MiB/s',
      'p99',
      'errors',
      'start skew',
      'clock offset',
      'RTT',
      'measured',
      'flagged',
    ]);
    const rows = await page.$$eval('#clients tbody tr', (trs) =>
      trs.map((tr) => ({ cls: tr.className, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })),
    );
    assert.deepEqual(rows, [
      { cls: '', cells: ['0', 'node-a', 'completed', '1.0k', '3.9 MiB/s', '1.50 ms', '0', '+1.20 ms', '-2.00 ms', '300 µs', '10.00 s', ''] },
      { cls: '', cells: ['1', 'node-b', 'completed', '980', '3.8 MiB/s', '1.40 ms', '1', '-400 µs', '-1.00 ms', '300 µs', '10.20 s', ''] },
      {
        cls: 'straggler',
        cells: [
          '2',
          'node-c',
          'completed',
          '600',
          '2.3 MiB/s',
          '2.00 ms',
          '2',
          '+2.50 ms',
          '0 µs',
          '300 µs',
          '10.10 s',
          'flagged: slow: 60% of the median 990 ops/s',
        ],
      },
      {
        cls: 'straggler',
        cells: [
          '3',
          'node-d',
          'completed',
          '1.0k',
          '3.9 MiB/s',
          '1.60 ms',
          '3',
          '+800 µs',
          '+1.00 ms',
          '300 µs',
          '12.50 s',
          'flagged: late: done 2.5 s after the first',
        ],
      },
      {
        cls: 'straggler',
        cells: ['4', 'node-e', 'lost', '400', '1.6 MiB/s', '1.50 ms', '4', '+1.90 ms', '+2.00 ms', '300 µs', '4.00 s', 'flagged: lost: no heartbeat for 30 s'],
      },
    ]);
    assert.equal(await page.textContent('#clients-done'), 'First done 10.00 s · last done 12.50 s · median 990 ops/s · 3 of 5 clients flagged');
    const shaded = await page.$eval('#clients tr.straggler td', (td) => getComputedStyle(td).backgroundColor);
    const plain = await page.$eval('#clients tbody tr:not(.straggler) td', (td) => getComputedStyle(td).backgroundColor);
    assert.notEqual(shaded, plain, 'straggler rows are shaded too');
    await screenshot('run-clients');
    noProblems();

    await page.goto(`${base}/run.html?id=run-00004`);
    await page.waitForSelector('#ops');
    assert.equal(await page.$('#clients'), null, 'a run of one process has no Clients section');
    assert.doesNotMatch((await page.textContent('main')) ?? '', /Clients/);
    noProblems();
  } finally {
    store.deleteRun(MULTI_CLIENT_RUN);
  }
});

test('a running run shows its live progress', async () => {
  await page.goto(`${base}/run.html?id=run-live`);
  await page.waitForSelector('#live');
  assert.match(await page.$eval('#live', (e) => e.textContent ?? ''), /2 of 10 s \(21%\) · ops 8\.4k · errors 2 · p99 7\.40 ms/);
  noProblems();
});

test('the runs list filters, and selected runs open a comparison', async () => {
  await page.goto(`${base}/runs.html?status=failed`);
  await page.waitForSelector('#runs tbody tr');
  assert.equal(await page.$$eval('#runs tbody tr', (r) => r.length), 1);
  await page.goto(`${base}/runs.html?workload=get-small`);
  await page.waitForSelector('#runs tbody tr');
  await screenshot('runs');
  const boxes = await page.$$('#runs input.pick');
  assert.equal(boxes.length, TARGETS.length);
  await boxes[0]!.check();
  await boxes[1]!.check();
  await Promise.all([page.waitForURL(/compare\.html\?ids=/), page.click('#compare-selected')]);
  await page.waitForSelector('#percentile-chart canvas');
  assert.equal(await page.$eval('#percentile-chart', (e) => (e as HTMLElement).dataset.series), '2');
  noProblems();
});

test('a comparison warns about runs whose reads a page cache may have served, naming the run as text', async () => {
  await page.goto(`${base}/runs.html?workload=get-small`);
  await page.waitForSelector('#runs tbody tr');
  for (const box of await page.$$('#runs input.pick')) await box.check();
  await Promise.all([page.waitForURL(/compare\.html\?ids=/), page.click('#compare-selected')]);
  await page.waitForSelector('p.warning');
  const warnings = await page.$$eval('p.warning', (ps) => ps.map((p) => p.textContent ?? ''));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /^Warning: run-\d+ \(<img src=x onerror="window.__xss=1">evil\): reads may have been served from the client's page cache/);
  noProblems();
});

test('the OpenAPI docs page works under the same content security policy', async () => {
  await page.goto(`${base}/docs`);
  await page.waitForSelector('.swagger-ui .info .title');
  assert.match((await page.textContent('.swagger-ui .info .title')) ?? '', /storbench API/);
  await page.waitForSelector('.opblock-summary-path');
  assert.ok((await page.$$('.opblock')).length >= 8, 'every route is listed');
  noProblems();
});

test('a bad address shows the API message, not a broken page', async () => {
  await page.goto(`${base}/run.html?id=no-such-run`);
  await page.waitForSelector('.error');
  assert.match((await page.textContent('.error')) ?? '', /no run "no-such-run"/);
  problems.splice(0); // the 404 of the fetch is logged by Chromium as a console error, as expected here
});

test('the schedules page shows each schedule with its jobs and runs, regressions flagged; so do the matrix and the runs list', async () => {
  const { regressedRun } = seedSchedule(store);
  await page.goto(`${base}/schedules.html`);
  await page.waitForSelector(`section.schedule[data-schedule="${SEEDED_SCHEDULE}"] table.runs`);
  const card = `section.schedule[data-schedule="${SEEDED_SCHEDULE}"]`;
  assert.match(await page.$eval(`${card} h2`, (e) => e.textContent ?? ''), /nightly-hdfs\s*enabled\s*1 regressed/);
  assert.match(await page.$eval(`${card} .meta`, (e) => e.textContent ?? ''), /cron 0 2 \* \* \* \(UTC\).*missed runs run-once/);
  const jobs = await page.$$eval(`${card} table.jobs tbody tr`, (rows) => rows.map((r) => (r as HTMLElement).dataset.status));
  assert.deepEqual(jobs, ['completed', 'skipped', 'completed', 'completed'], 'newest first');
  assert.match(await page.$eval(`${card} table.jobs tr[data-status="skipped"] td.reason`, (e) => e.textContent ?? ''), /still in use by job 2/);
  const runs = await page.$$eval(`${card} table.runs tbody tr`, (rows) => rows.map((r) => ({ cls: r.className, text: r.textContent ?? '' })));
  assert.equal(runs.length, 3);
  assert.equal(runs[0]!.cls, 'regressed');
  assert.match(runs[0]!.text, /regressed: write ops\/s 3\.0k → 1\.5k \(-50%\)/);
  assert.match(runs[2]!.text, /no baseline yet/);
  await screenshot('schedules');
  noProblems();

  await page.goto(`${base}/`);
  await page.waitForSelector('#matrix td.cell');
  const cell = await page.$eval(`#matrix input.pick[data-run="${regressedRun}"]`, (i) => i.closest('td')!.textContent ?? '');
  assert.match(cell, /regressed/, 'the matrix cell of the regressed run says so');
  await page.goto(`${base}/runs.html?target=hdfs-3dn&workload=put-small`);
  await page.waitForSelector('#runs tbody tr');
  assert.match(await page.$eval('#runs tbody tr', (r) => r.textContent ?? ''), /completed\s*regressed/);
  noProblems();
});
