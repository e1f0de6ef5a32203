/**
 * The dashboard in a real headless Chromium, for the page tests: Debian's chromium driven by playwright-core
 * (scripts/test.sh installs it through scripts/ensure-chromium.sh; nothing ever downloads a browser), serving a
 * database the test seeds. Every script error or content-security-policy violation is collected, and
 * `noProblems()` fails the test that caused one.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildApp } from '../../src/dashboard/app.js';
import { openStore } from '../../src/results/sqlite-store.js';
import type { ResultsStore } from '../../src/results/types.js';

const CHROMIUM = process.env.STORBENCH_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve('test-artifacts');

export interface DashboardSession {
  readonly store: ResultsStore;
  readonly app: FastifyInstance;
  /** The dashboard's address, `http://127.0.0.1:PORT`. */
  readonly base: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Script errors and CSP violations seen so far. */
  readonly problems: string[];
  /** A full-page screenshot in test-artifacts/, named `<prefix>-<name>.png`. */
  screenshot(name: string): Promise<void>;
  /** Assert that no page error or console error happened since the last call. */
  noProblems(): void;
  /** Pixels of a canvas that are not blank: proof that a chart drew something. */
  inkedPixels(selector: string): Promise<number>;
  close(): Promise<void>;
}

export interface DashboardOptions {
  /** Console errors to expect rather than count (a 404 page's own load, say). */
  readonly expectedConsoleErrors?: RegExp;
  readonly acceptDownloads?: boolean;
}

/** Seed a fresh database, serve it, and open it in Chromium at 1360 × 900. */
export async function openDashboard(prefix: string, seed: (store: ResultsStore) => void, options: DashboardOptions = {}): Promise<DashboardSession> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/ensure-chromium.sh installs it (npm test runs it)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), `storbench-${prefix}-`));
  const store = openStore(join(dir, `${prefix}.db`));
  seed(store);
  const app = await buildApp({ store });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
    viewport: { width: 1360, height: 900 },
    deviceScaleFactor: 1,
    acceptDownloads: options.acceptDownloads === true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !options.expectedConsoleErrors?.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  return {
    store,
    app,
    base,
    context,
    page,
    problems,
    async screenshot(name) {
      const path = join(ARTIFACTS, `${prefix}-${name}.png`);
      await page.screenshot({ path, fullPage: true });
      console.log(`# screenshot: ${path}`);
    },
    noProblems() {
      assert.deepEqual(problems.splice(0), [], 'no script errors and no CSP violations');
    },
    inkedPixels(selector) {
      return page.$eval(selector, (canvas) => {
        const c = canvas as HTMLCanvasElement;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      });
    },
    async close() {
      await context.close();
      await app.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
