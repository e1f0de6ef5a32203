/**
 * schemathesis against `storbench serve` (scripts/schemathesis.sh): the OpenAPI document is valid, and no
 * generated request gets a 5xx or an answer the document does not describe. Skipped only where python3 is
 * missing; the first run installs the tools from PyPI into ~/.cache/storbench.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildApp } from '../../src/dashboard/app.js';
import { openStore } from '../../src/results/sqlite-store.js';

const script = new URL('../../scripts/schemathesis.sh', import.meta.url).pathname;
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const skip = python.status === 0 ? false : 'python3 is not installed';
const dir = mkdtempSync(join(tmpdir(), 'storbench-schemathesis-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Run the script (bounded: a hung run is killed) and return its exit code and output. */
function schemathesis(env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    // The first run installs schemathesis (a minute or two); a warm run takes well under one.
    const timer = setTimeout(() => child.kill('SIGTERM'), 540_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** This code's OpenAPI document, changed by `edit`, in a file for STORBENCH_SCHEMATHESIS_DOC. */
async function editedDocument(name: string, edit: (doc: any) => void): Promise<string> {
  const store = openStore(':memory:');
  const app = await buildApp({ store, token: 'x'.repeat(16) });
  try {
    const doc = (await app.inject('/docs/json')).json();
    edit(doc);
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(doc));
    return path;
  } finally {
    await app.close();
    store.close();
  }
}

test('schemathesis: a valid OpenAPI 3.0.3 document, no 5xx, every answer as documented', { skip, timeout: 600_000 }, async () => {
  const { code, out } = await schemathesis();
  // The run's summary, for the record (and for a failure seen only in CI).
  console.log(
    out
      .split('\n')
      .filter((l) => /OK$|generated|passed|failed|Seed:|ST\d{3}|Error/.test(l))
      .join('\n'),
  );
  assert.equal(code, 0, out.slice(-6000));
  assert.match(out, /openapi\.json: OK/);
  assert.match(out, /Specification: +Open API 3\.0\.3/);
  assert.match(out, /\d+ generated, \d+ passed/);
});

test('the check fails on a document that is not valid OpenAPI 3.0.3 (a numeric exclusiveMinimum, as before)', { skip, timeout: 600_000 }, async () => {
  const doc = await editedDocument('draft07', (d) => {
    const percent = d.paths['/api/schedules'].post.requestBody.content['application/json'].schema.properties.thresholds.properties.p99RisePct;
    delete percent.minimum;
    percent.exclusiveMinimum = 0;
  });
  const { code, out } = await schemathesis({ STORBENCH_SCHEMATHESIS_DOC: doc });
  assert.equal(code, 1, out.slice(-3000));
  assert.match(out, /draft07\.json: Validation Error/);
});

test('the check fails on an answer the document does not describe (/metrics said to be JSON)', { skip, timeout: 600_000 }, async () => {
  const doc = await editedDocument('metrics-json', (d) => {
    d.paths['/metrics'].get.responses['200'].content = { 'application/json': { schema: { type: 'object' } } };
  });
  const { code, out } = await schemathesis({ STORBENCH_SCHEMATHESIS_DOC: doc, STORBENCH_SCHEMATHESIS_EXAMPLES: '5' });
  assert.equal(code, 1, out.slice(-3000));
  assert.match(out, /GET \/metrics/);
  assert.match(out, /Undocumented Content-Type/);
});
