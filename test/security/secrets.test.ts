/**
 * Secrets are declared by drivers, not guessed from option names: every option a driver does not declare is
 * refused (its value shown nowhere), declared secrets are `***` in everything stored, printed or served, and
 * schedules refuse a literal secret. Planted values are grepped in stdout, stderr, the database and its -wal.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../cli/cli-process.js';
import { knownSchemes } from '../../src/drivers/registry.js';
import { parseTarget, redactString } from '../../src/drivers/target.js';
import { UsageError } from '../../src/errors.js';
import { validateSchedule } from '../../src/scheduler/schedule.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const storbench = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

/** The names the review planted (reliability-review.md, S1): none of them is any driver's option. */
const PLANTED = {
  accountKey: 'ACCTKEY888', sig: 'SIGVAL777', sas: 'SASVAL666', apiKey: 'APIKEY999', auth: 'AUTHVAL555',
  privateKey: 'PRIVKEY666', client_secret: 'CLIENTSEC777', bearer: 'BEARER888', key: 'KEYONLY999', pwd: 'PWD000', pass: 'PASS121',
};
const plantedQuery = new URLSearchParams(PLANTED).toString();
const BASE: Record<string, string> = {
  null: 'null://', mem: 'mem://x', file: `file://${dir}/root`, nfs: 'nfs://127.0.0.1:1/export', cassandra: 'cassandra://127.0.0.1:1/ks',
  webhdfs: 'webhdfs://127.0.0.1:1/x', swebhdfs: 'swebhdfs://127.0.0.1:1/x', s3: 's3://bucket',
};

function assertNoPlanted(text: string, where: string): void {
  for (const value of Object.values(PLANTED)) assert.ok(!text.includes(value), `${where} shows ${value}: ${text}`);
}

describe('every driver refuses options it does not declare, showing no value', () => {
  test('every registered scheme is covered here', () => assert.deepEqual(Object.keys(BASE).sort(), knownSchemes()));
  for (const [scheme, base] of Object.entries(BASE)) {
    test(`${scheme}://`, () => {
      const url = `${base}${base.includes('?') ? '&' : '?'}${plantedQuery}`;
      assert.throws(() => parseTarget(url), (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.equal(e.code, 'STORBENCH_ERR_UNKNOWN_OPTION');
        assert.match(e.message, /unknown options accountKey, sig, sas, apiKey/);
        assertNoPlanted(e.message, 'the refusal');
        return true;
      });
      // the same from a targets file's options
      assert.throws(() => parseTarget(base, { apiKey: PLANTED.apiKey }), /unknown option apiKey/);
    });
  }
});

describe('redaction follows the declarations', () => {
  test('declared secrets and URL passwords are ***, plain options stay readable', () => {
    const s3 = parseTarget('s3://bucket?endpoint=http://127.0.0.1:1&accessKeyId=AK1234&secretAccessKey=SK5678&sessionToken=ST9012&retries=2');
    assert.equal(s3.redacted, 's3://bucket?endpoint=http%3A%2F%2F127.0.0.1%3A1&accessKeyId=***&secretAccessKey=***&sessionToken=***&retries=2');
    assert.deepEqual([...s3.secrets].sort(), ['AK1234', 'SK5678', 'ST9012']);
    const hdfs = parseTarget('webhdfs://u:PW4567@127.0.0.1:1/x?delegationToken=DT3456&user=bench');
    assert.equal(hdfs.redacted, 'webhdfs://u:***@127.0.0.1:1/x?delegationToken=***&user=bench');
    assert.equal(parseTarget('null://?token=TK7890').redacted, 'null://?token=***');
  });

  test('an option read from the environment is a secret whatever its name', () => {
    const t = parseTarget('file:///tmp/x', { profile: 'lustre' }, undefined, ['profile']);
    assert.equal(t.redacted, 'file:///tmp/x?profile=***');
  });

  test('a scheme without a driver: nothing classifies its options, every value is hidden', () => {
    const t = parseTarget(`foo://h/p?${plantedQuery}&plain=visible`);
    assertNoPlanted(t.redacted, 'the redacted URL');
    assert.ok(!t.redacted.includes('visible'));
  });

  test('a URL that does not parse shows none of its values', () => {
    assert.throws(() => parseTarget(`not a url ${plantedQuery}`), (e: unknown) => {
      assertNoPlanted((e as Error).message, 'the parse error');
      return true;
    });
  });

  test('free text quoting a URL: credential-looking parameters are hidden, given secrets replaced', () => {
    const text = `GET http://h/x?${plantedQuery}&op=LISTSTATUS failed; token MYSECRET42 refused`;
    const out = redactString(text, ['MYSECRET42']);
    assertNoPlanted(out, 'redactString');
    assert.ok(!out.includes('MYSECRET42'));
    assert.match(out, /op=LISTSTATUS/);
  });
});

describe('end to end: planted values reach no output, no database', () => {
  test('run refuses undeclared options on null:// and mem:// (exit 2, one line, no database written)', () => {
    const db = join(dir, 'refused.db');
    for (const url of [`null://?${plantedQuery}`, `mem://admin:MEMPASS654@x?${plantedQuery}`, `cassandra://127.0.0.1:1/ks?password=PW456&${plantedQuery}`]) {
      const r = storbench(['run', '--target', url, '--workload', 'put-small', '--duration', '1s', '--db', db]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assertNoPlanted(r.stdout + r.stderr, 'run output');
      assert.ok(!(r.stdout + r.stderr).includes('MEMPASS654') && !(r.stdout + r.stderr).includes('PW456'));
    }
    for (const f of [db, `${db}-wal`]) if (existsSync(f)) assertNoPlanted(readFileSync(f, 'latin1'), f);
  });

  test('a declared secret is stored, printed and listed only as ***', () => {
    const db = join(dir, 'stored.db');
    const r = storbench(['run', '--target', 'mem://admin:MEMPASS654@x', '--workload', 'put-small', '--duration', '300ms', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const n = storbench(['run', '--target', 'null://?token=NULLTOKEN321', '--workload', 'put-small', '--duration', '300ms', '--db', db]);
    assert.equal(n.code, 0, n.stderr);
    assert.match(n.stdout, /null:\/\/\?token=\*\*\*/);
    const listed = storbench(['runs', '--json', '--db', db]);
    for (const text of [r.stdout, r.stderr, n.stdout, n.stderr, listed.stdout]) {
      assert.ok(!text.includes('MEMPASS654') && !text.includes('NULLTOKEN321'), text);
    }
    for (const f of [db, `${db}-wal`]) {
      if (existsSync(f)) assert.ok(!readFileSync(f, 'latin1').includes('NULLTOKEN321') && !readFileSync(f, 'latin1').includes('MEMPASS654'), f);
    }
  });
});

describe('schedules keep secrets only as environment variable names', () => {
  const base = { id: 'nightly', cron: '0 2 * * *', workloads: ['put-small'] };
  test('a literal declared secret is refused, naming the option, without its value', () => {
    for (const targets of [
      [{ url: 'null://?token=LITERAL123' }],
      [{ url: 'null://', options: { token: 'LITERAL123' } }],
      [{ url: 's3://bucket?endpoint=http://127.0.0.1:1', options: { secretAccessKey: 'LITERAL123' } }],
    ]) {
      assert.throws(() => validateSchedule({ ...base, targets }), (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.equal(e.code, 'STORBENCH_ERR_SECRET_IN_CLEAR');
        assert.match(e.message, /option (token|secretAccessKey) in clear/);
        assert.ok(!e.message.includes('LITERAL123'));
        return true;
      });
    }
  });

  test('an option no driver declares is refused, in the URL, in options and in env', () => {
    for (const t of [{ url: `null://?apiKey=${PLANTED.apiKey}` }, { url: 'null://', options: { sas: PLANTED.sas } }, { url: 'null://', env: { apiKey: 'SOME_VAR' } }]) {
      assert.throws(() => validateSchedule({ ...base, targets: [t] }), (e: unknown) => {
        assert.ok(e instanceof UsageError && e.code === 'STORBENCH_ERR_UNKNOWN_OPTION', String(e));
        assertNoPlanted(e.message, 'the refusal');
        return true;
      });
    }
  });

  test('a secret by reference is accepted and stored as the variable name only', () => {
    const s = validateSchedule({ ...base, targets: [{ url: 'null://', env: { token: 'BENCH_TOKEN' } }] });
    assert.deepEqual(s.suite.targets[0]!.env, { token: 'BENCH_TOKEN' });
  });

  test('the CLI refuses a targets file with a literal secret (exit 2, one line, nothing stored)', () => {
    const db = join(dir, 'sched.db');
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, `targets:\n  - url: null://\n    options: { apiKey: ${PLANTED.apiKey}, sas: ${PLANTED.sas} }\n`);
    const r = storbench(['schedule', 'add', 'nightly', '--cron', '0 2 * * *', '--targets', targets, '--workloads', 'put-small', '--db', db]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assertNoPlanted(r.stdout + r.stderr, 'schedule add');
    for (const f of [db, `${db}-wal`]) if (existsSync(f)) assertNoPlanted(readFileSync(f, 'latin1'), f);
  });
});
