/** Numbers, sizes, durations, hosts and input files as people write them (review D6, D7), without a process. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseTarget } from '../../src/drivers/target.js';
import { UsageError } from '../../src/errors.js';
import { readInputFile } from '../../src/input-file.js';
import { parseDecimal, parseSize, parseWholeNumber } from '../../src/workloads/size.js';
import { loadWorkload } from '../../src/workloads/spec.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-numbers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('whole numbers: decimal digits and a leading "-" only', () => {
  for (const [text, n] of [
    ['16', 16],
    ['0', 0],
    ['-1', -1],
    ['007', 7],
  ] as const)
    assert.equal(parseWholeNumber(text), n, text);
  for (const text of ['0x10', '1e3', '0b101', '0o17', ' 16 ', '16 ', '+5', '1.0', '', '-', 'Infinity', '1_000']) {
    assert.ok(Number.isNaN(parseWholeNumber(text)), JSON.stringify(text));
  }
});

test('decimals: digits, a "-" and a fraction', () => {
  for (const [text, n] of [
    ['0.5', 0.5],
    ['.5', 0.5],
    ['-2', -2],
    ['10', 10],
    ['1.', 1],
  ] as const)
    assert.equal(parseDecimal(text), n, text);
  for (const text of ['0x10', '1e-3', ' 1', 'NaN', 'Infinity', '+1', '.', '']) assert.ok(Number.isNaN(parseDecimal(text)), JSON.stringify(text));
});

test('an input file names each number not written in decimal, by its field path', () => {
  const file = join(dir, 'n.yaml');
  writeFileSync(file, 'a: 1\nb: [2, 0x3, { c: 1e4 }]\nd: { e: -0.5, f: +6 }\n0x7: key numbers are not values\n');
  assert.throws(
    () => readInputFile(file, 'in'),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message === 'in: b.1: write 0x3 as a plain decimal number; b.2.c: write 1e4 as a plain decimal number; d.f: write +6 as a plain decimal number',
  );
  writeFileSync(file, 'a: 1\nb: [2, { c: -0.5 }]\nsize: 4KiB\n');
  assert.deepEqual(readInputFile(file, 'in'), { a: 1, b: [2, { c: -0.5 }], size: '4KiB' });
});

test('sizes are whole bytes, computed exactly', () => {
  assert.equal(parseSize('1.5KiB', 'size'), 1536);
  assert.equal(parseSize('1.1MB', 'size'), 1_100_000); // 1.1 * 1e6 is not an integer in floating point
  assert.equal(parseSize('0', 'size'), 0);
  assert.equal(parseSize('1TiB', 'size'), 1024 ** 4);
  for (const text of ['0.4', '1.1KiB', '0.5']) assert.throws(() => parseSize(text, 'size'), /size: .* is not a whole number of bytes/, text);
});

test('a run of less than 100 ms is refused', () => {
  assert.throws(() => loadWorkload('put-small', { duration: '99ms' }), /duration: at least 100ms/);
  assert.equal(loadWorkload('put-small', { duration: '100ms' }).duration, 100);
});

test('the host part of a target URL is percent-decoded, and bad encoding refused', () => {
  assert.throws(() => parseTarget('mem://%zz'), /target: the host part "%zz" is not valid percent-encoding/);
  assert.deepEqual(parseTarget('cassandra://h%31,h2:9042/ks').hosts, ['h1', 'h2:9042']);
});
