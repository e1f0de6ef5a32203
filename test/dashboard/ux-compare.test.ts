/**
 * Issue 19 items 1-4 in a real headless Chromium (Debian's, driven by playwright-core; nothing downloads a
 * browser), on the seeded database plus runs with mixed settings (seedMixedSettings): like-for-like matrix
 * cells with their settings, runs flagged by how they went, the settings-differ warning, log-scale bars,
 * distinct labels, adding and dropping runs, substring filters and sortable columns.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type DashboardSession, openDashboard } from './browser.js';
import { MIXED_RUNS, seedMixedSettings, seedStore } from './seed.js';

let base: string;
let page: Page;
let session: DashboardSession;

before(async () => {
  session = await openDashboard('ux-compare', (seeded) => {
    seedStore(seeded);
    seedMixedSettings(seeded);
  });
  ({ base, page } = session);
});

after(() => session?.close());

const screenshot = (name: string) => session.screenshot(name);
const noProblems = () => session.noProblems();

/** The seeded closed-loop get-small runs of hdfs-3dn and null:// (seedStore: run i is target i % 6, workload i / 6). */
const HDFS_GET_SMALL = 'run-00007';
const NULL_GET_SMALL = 'run-00012';

/** The matrix cell of a target and workload: its run, its text, its health badge. */
async function matrixCell(target: string, workload: string) {
  const workloads = await page.$$eval('#matrix thead .wl', (els) => els.map((e) => e.textContent));
  const column = workloads.indexOf(workload);
  assert.ok(column >= 0, `no ${workload} column`);
  return page.$$eval(
    '#matrix tbody tr',
    (rows, [t, i]) => {
      const row = rows.find((r) => r.querySelector('th .target')?.textContent === t)!;
      const td = row.querySelectorAll('td')[i as number]!;
      return {
        run: (td.querySelector('input.pick') as HTMLElement | null)?.dataset.run,
        text: td.textContent ?? '',
        health: (td.querySelector('[data-health]') as HTMLElement | null)?.dataset.health,
      };
    },
    [target, column] as const,
  );
}

test('item 1: like-for-like matrix cells show what was run and when; runs set up differently are left out and counted', async () => {
  await page.goto(`${base}/`);
  await page.waitForSelector('#matrix td.cell');
  const hdfs = await matrixCell('hdfs-3dn', 'get-small');
  assert.equal(hdfs.run, HDFS_GET_SMALL, 'the closed-loop run, not the newer open-loop one at 2,000 ops/s');
  assert.match(hdfs.text, /closed loop, concurrency 32, threads auto, 1 client/);
  assert.match(hdfs.text, /2026-11-20 08:06 UTC/, 'the date of the run');
  assert.notEqual((await matrixCell('ceph-rgw', 'mixed')).run, MIXED_RUNS.verify, 'the verify run is left out');
  const heads = await page.$$eval('#matrix thead th', (els) => els.map((e) => e.textContent ?? ''));
  assert.match(heads.find((h) => h.startsWith('get-small'))!, /1 newer run with other settings left out/);
  assert.match(heads.find((h) => h.startsWith('mixed'))!, /1 newer run with other settings left out/);
  assert.match(heads.find((h) => h.startsWith('put-small'))!, /closed loop, concurrency 32/);
  assert.match(await page.$eval('main > p.note:last-of-type', (e) => e.textContent ?? ''), /Like for like: each workload column shows one set of settings/);
  // item 3: the completed run with 30% errors is the cassandra cell, flagged amber
  const flaky = await matrixCell('cassandra-3', 'get-small');
  assert.equal(flaky.run, MIXED_RUNS.withErrors);
  assert.equal(flaky.health, 'errors');
  assert.match(flaky.text, /completed with errors \(30%\)/);
  assert.equal(
    await page.$eval('#matrix td [data-health="errors"]', (e) => getComputedStyle(e).backgroundColor),
    'rgb(253, 230, 138)',
    'amber, not the completed green',
  );
  await screenshot('items-1-3-matrix');
  noProblems();
});

test("item 1: the matrix as it stood at a date, and a suite's own matrix, with the exports following", async () => {
  await page.goto(`${base}/?asOf=2026-11-20T08:12:00Z`);
  await page.waitForSelector('#matrix td.cell');
  assert.deepEqual(await page.$$eval('#matrix thead .wl', (els) => els.map((e) => e.textContent)), ['get-small', 'put-small'], 'only the runs ended by 08:12');
  const cass = await matrixCell('cassandra-3', 'get-small');
  assert.notEqual(cass.run, MIXED_RUNS.withErrors, 'the later run with errors was not there yet');
  assert.equal(cass.health, undefined);
  assert.equal(await page.$eval('#as-of', (e) => (e as HTMLInputElement).value), '2026-11-20');
  assert.match(await page.$eval('a.export', (e) => e.getAttribute('href') ?? ''), /asOf=2026-11-20T08%3A12%3A00Z/);
  await page.goto(`${base}/?suite=no-such-suite`);
  await page.waitForSelector('#empty-scope');
  noProblems();
});

test('items 1, 2, 4: compare warns once of the settings that differ, labels two runs of one target apart, draws log bars', async () => {
  await page.goto(`${base}/compare.html?ids=${HDFS_GET_SMALL},${MIXED_RUNS.openLoop},${NULL_GET_SMALL}`);
  await page.waitForSelector('#percentile-chart canvas');
  const warnings = await page.$$eval('p.warning', (els) => els.map((e) => e.textContent ?? ''));
  assert.equal(warnings.length, 1, 'one warning, not one per run');
  assert.match(warnings[0]!, /not set up alike.*loadModel \(hdfs-3dn · 0007: closed, hdfs-3dn · 0a11: open, null: closed\); rate \(.*0a11: 2000/);
  assert.deepEqual(await page.$$eval('#compare-runs td.run-label', (els) => els.map((e) => e.textContent)), ['hdfs-3dn · 0007', 'hdfs-3dn · 0a11', 'null']);
  assert.match(await page.$eval('#compare-runs tbody tr:nth-child(2) td.run-settings', (e) => e.textContent ?? ''), /^open loop 2,000 ops\/s, concurrency 32/);
  const labels = await page.$$eval('#bars .card:first-child .bar-group .bar-label', (els) => els.map((e) => e.textContent));
  assert.deepEqual(labels, ['hdfs-3dn · 0007', 'hdfs-3dn · 0a11', 'null'], 'distinct labels in the bars');
  const legend = await page.$eval('#percentile-chart', (e) => e.textContent ?? '');
  assert.ok(legend.includes('hdfs-3dn · 0007') && legend.includes('hdfs-3dn · 0a11'), 'and in the legend');
  // null:// is ~40× the others: the throughput bars go log, and say so
  const group = await page.$eval('#bars .card:first-child .bar-group', (e) => ({
    scale: (e as HTMLElement).dataset.scale,
    title: e.querySelector('.bar-title')?.textContent,
  }));
  assert.equal(group.scale, 'log');
  assert.match(group.title ?? '', /log scale/);
  const widths = await page.$$eval('#bars .card:first-child .bar-group .bar-fill', (els) => els.map((e) => Number.parseFloat((e as HTMLElement).style.width)));
  assert.ok(widths[0]! > 10, `the disk bar is readable, not a sliver (${widths[0]}%)`);
  // null:// read moved no bytes: no data-rate bar for it, and no 0.00× anywhere
  assert.doesNotMatch(await page.$eval('#bars', (e) => e.textContent ?? ''), /0\.00×/);
  const p50 = await page.$$eval('#bars .card:nth-child(3) .bar-ratio', (els) => els.map((e) => e.textContent ?? ''));
  assert.ok(
    p50.some((t) => /\d×/.test(t)),
    'the p50 card has ratios, like the p99 card',
  );
  await screenshot('items-1-2-4-compare');
  noProblems();
});

test('item 4: the compare page drops a run and adds one by id prefix or from the recent runs', async () => {
  await page.goto(`${base}/compare.html?ids=${HDFS_GET_SMALL},${MIXED_RUNS.openLoop},${NULL_GET_SMALL}`);
  await page.waitForSelector('#compare-runs button.drop');
  await Promise.all([page.waitForURL((u) => !u.search.includes(NULL_GET_SMALL)), page.click('#compare-runs tbody tr:nth-child(3) button.drop')]);
  assert.equal(new URL(page.url()).searchParams.get('ids'), `${HDFS_GET_SMALL},${MIXED_RUNS.openLoop}`);
  await page.waitForSelector('#add-id');
  await page.fill('#add-id', '20261120-09');
  await page.click('#add-run button[type="submit"]');
  await page.waitForFunction(() => /matches \d+ runs/.test(document.querySelector('#add-message')?.textContent ?? ''));
  await page.fill('#add-id', '20261120-0902');
  await Promise.all([page.waitForURL((u) => u.search.includes(MIXED_RUNS.withErrors)), page.click('#add-run button[type="submit"]')]);
  await page.waitForSelector('#compare-runs td.run-label');
  assert.match(await page.$eval('#compare-runs tbody tr:nth-child(3)', (e) => e.textContent ?? ''), /cassandra-3.*completed with errors \(30%\)/);
  await page.waitForFunction(() => document.querySelectorAll('#add-recent option').length > 3);
  const recent = await page.$$eval('#add-recent option', (els) => els.map((e) => (e as HTMLOptionElement).value).filter(Boolean));
  assert.ok(recent.includes(NULL_GET_SMALL), 'recent runs of the same workload to add');
  await Promise.all([page.waitForURL((u) => u.search.includes(NULL_GET_SMALL)), page.selectOption('#add-recent', NULL_GET_SMALL)]);
  noProblems();
});

test('items 3, 4: the runs list filters by part of a name, sorts by a column (click and keyboard), flags runs by how they went', async () => {
  await page.goto(`${base}/runs.html?target=cass`);
  await page.waitForSelector('#runs tbody tr');
  const targets = await page.$$eval('#runs tbody tr td:nth-child(3)', (els) => els.map((e) => e.textContent));
  assert.equal(targets.length, 6, 'five seeded cassandra-3 runs and the one with errors');
  assert.ok(targets.every((t) => t === 'cassandra-3'));
  assert.match(await page.$eval(`#runs tbody tr:has(input[data-run="${MIXED_RUNS.withErrors}"])`, (e) => e.textContent ?? ''), /completed with errors \(30%\)/);
  assert.equal(await page.$eval('th:has(button[data-sort="started"])', (e) => e.getAttribute('aria-sort')), 'descending', 'newest first by default');
  await Promise.all([page.waitForURL(/sort=opsPerSec&order=desc/), page.click('button[data-sort="opsPerSec"]')]);
  await page.waitForSelector('#runs tbody tr');
  assert.equal(await page.$eval('th:has(button[data-sort="opsPerSec"])', (e) => e.getAttribute('aria-sort')), 'descending');
  const figure = (t: string) => Number.parseFloat(t) * (t.includes('k') ? 1000 : t.includes('M') ? 1e6 : 1);
  const rates = (await page.$$eval('#runs tbody tr td:nth-child(8)', (els) => els.map((e) => e.textContent ?? ''))).map(figure);
  assert.deepEqual(
    rates,
    [...rates].sort((a, b) => b - a),
    `sorted by ops/s, highest first: ${rates}`,
  );
  assert.equal(new URL(page.url()).searchParams.get('target'), 'cass', 'the filter stays');
  await page.focus('button[data-sort="opsPerSec"]');
  await Promise.all([page.waitForURL(/order=asc/), page.keyboard.press('Enter')]);
  await page.waitForSelector('#runs tbody tr');
  assert.equal(await page.$eval('th:has(button[data-sort="opsPerSec"])', (e) => e.getAttribute('aria-sort')), 'ascending');
  await screenshot('items-3-4-runs');
  await page.goto(`${base}/runs.html?status=interrupted`);
  await page.waitForSelector('#runs tbody tr');
  const row = await page.$eval('#runs tbody tr', (e) => ({
    text: e.textContent ?? '',
    color: getComputedStyle(e.querySelector('.status')!).backgroundColor,
    figures: [...e.querySelectorAll('td.num')].map((td) => td.textContent),
  }));
  assert.equal(row.color, 'rgb(226, 232, 240)', 'interrupted is slate, not the failed red');
  assert.deepEqual(row.figures, ['–', '–', '–'], 'no figures: "–", never 0 ops/s or 0 µs');
  noProblems();
});

test('item 3: run pages say how the run went: errors in amber with their share, a failed run never "No errors."', async () => {
  await page.goto(`${base}/run.html?id=${MIXED_RUNS.withErrors}`);
  await page.waitForSelector('#error-share');
  assert.match(await page.$eval('h1', (e) => e.textContent ?? ''), /completed with errors \(30%\)/);
  assert.match(
    await page.$eval('#error-share', (e) => e.textContent ?? ''),
    /30% of the attempted operations failed .*"count" below is the successful operations only/,
  );
  await screenshot('item-3-run-errors');
  await page.goto(`${base}/run.html?id=run-failed`);
  await page.waitForSelector('#status-box');
  assert.equal(await page.$eval('#status-box', (e) => e.className), 'error');
  await page.goto(`${base}/run.html?id=${MIXED_RUNS.interrupted}`);
  await page.waitForSelector('#status-box');
  assert.equal(await page.$eval('#status-box', (e) => e.className), 'stopped', 'its own style, not the failed red');
  assert.equal(await page.$eval('#no-errors', (e) => e.textContent), 'No operation failed before the run was stopped.');
  await screenshot('item-3-run-interrupted');
  noProblems();
});
