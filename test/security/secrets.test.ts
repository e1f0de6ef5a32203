/**
 * Secrets are declared by drivers, not guessed from option names: every option a driver does not declare is
 * refused (its value shown nowhere), declared secrets are `***` in everything stored, printed or served, and
 * schedules refuse a literal secret. Planted values are grepped in stdout, stderr, the database and its -wal; the last
 * part plants one under every option any driver declares secret and looks in the API, exports, /metrics and schedules too.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildApp } from '../../src/dashboard/app.js';
import { declaredOptions, knownSchemes } from '../../src/drivers/registry.js';
import { parseTarget, redactString } from '../../src/drivers/target.js';
import { UsageError } from '../../src/errors.js';
import { openStore } from '../../src/results/sqlite-store.js';
import { validateSchedule } from '../../src/scheduler/schedule.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { runCli } from '../cli/cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const storbench = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

/** The names the review planted (reliability-review.md, S1): none of them is any driver's option. */
const PLANTED = {
  accountKey: 'ACCTKEY888',
  sig: 'SIGVAL777',
  sas: 'SASVAL666',
  apiKey: 'APIKEY999',
  auth: 'AUTHVAL555',
  privateKey: 'PRIVKEY666',
  client_secret: 'CLIENTSEC777',
  bearer: 'BEARER888',
  key: 'KEYONLY999',
  pwd: 'PWD000',
  pass: 'PASS121',
};
const plantedQuery = new URLSearchParams(PLANTED).toString();
const BASE: Record<string, string> = {
  null: 'null://',
  mem: 'mem://x',
  file: `file://${dir}/root`,
  nfs: 'nfs://127.0.0.1:1/export',
  cassandra: 'cassandra://127.0.0.1:1/ks',
  webhdfs: 'webhdfs://127.0.0.1:1/x',
  swebhdfs: 'swebhdfs://127.0.0.1:1/x',
  s3: 's3://bucket',
};

function assertNoPlanted(text: string, where: string): void {
  for (const value of Object.values(PLANTED)) assert.ok(!text.includes(value), `${where} shows ${value}: ${text}`);
}

describe('every driver refuses options it does not declare, showing no value', () => {
  test('every registered scheme is covered here', () => assert.deepEqual(Object.keys(BASE).sort(), knownSchemes()));
  for (const [scheme, base] of Object.entries(BASE)) {
    test(`${scheme}://`, () => {
      const url = `${base}${base.includes('?') ? '&' : '?'}${plantedQuery}`;
      assert.throws(
        () => parseTarget(url),
        (e: unknown) => {
          assert.ok(e instanceof UsageError);
          assert.equal(e.code, 'STORBENCH_ERR_UNKNOWN_OPTION');
          assert.match(e.message, /unknown options accountKey, sig, sas, apiKey/);
          assertNoPlanted(e.message, 'the refusal');
          return true;
        },
      );
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
    assert.throws(
      () => parseTarget(`not a url ${plantedQuery}`),
      (e: unknown) => {
        assertNoPlanted((e as Error).message, 'the parse error');
        return true;
      },
    );
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
      assert.throws(
        () => validateSchedule({ ...base, targets }),
        (e: unknown) => {
          assert.ok(e instanceof UsageError);
          assert.equal(e.code, 'STORBENCH_ERR_SECRET_IN_CLEAR');
          assert.match(e.message, /option (token|secretAccessKey) in clear/);
          assert.ok(!e.message.includes('LITERAL123'));
          return true;
        },
      );
    }
  });

  test('an option no driver declares is refused, in the URL, in options and in env', () => {
    for (const t of [
      { url: `null://?apiKey=${PLANTED.apiKey}` },
      { url: 'null://', options: { sas: PLANTED.sas } },
      { url: 'null://', env: { apiKey: 'SOME_VAR' } },
    ]) {
      assert.throws(
        () => validateSchedule({ ...base, targets: [t] }),
        (e: unknown) => {
          assert.ok(e instanceof UsageError && e.code === 'STORBENCH_ERR_UNKNOWN_OPTION', String(e));
          assertNoPlanted(e.message, 'the refusal');
          return true;
        },
      );
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

/**
 * The proof, driven by the declarations: a value is planted under EVERY option any registered driver marks
 * secret(...) (a new secret option is covered without editing this file), through every way a secret comes in
 * (in the URL for `run`, as an env reference for schedules), and none of them may appear in the database, its
 * -wal, the CLI's output, the API's answers, the exports, /metrics or the schedules.
 */
describe('every declared secret of every driver reaches nothing stored, printed or served', () => {
  const db = join(dir, 'proof.db');
  /** scheme → option → planted value (distinct, so a hit names its origin), for every scheme that declares a secret. */
  const planted = new Map<string, Map<string, string>>();
  for (const scheme of knownSchemes()) {
    const secret = [...(declaredOptions(scheme)?.secret ?? [])];
    if (secret.length) planted.set(scheme, new Map(secret.map((option, i) => [option, `PLANT${scheme.toUpperCase()}${i}X${randomBytes(4).toString('hex')}`])));
  }
  const values = [...planted.values()].flatMap((m) => [...m.values()]);
  const envName = (scheme: string, option: string) => `STORBENCH_PROOF_${scheme.toUpperCase()}_${option.toUpperCase()}`;
  const env = Object.fromEntries([...planted].flatMap(([scheme, m]) => [...m].map(([option, v]) => [envName(scheme, option), v])));
  const withSecrets = (scheme: string) => {
    const query = new URLSearchParams([...planted.get(scheme)!]).toString();
    const base = BASE[scheme]!;
    return query ? `${base}${base.includes('?') ? '&' : '?'}${query}` : base;
  };
  const seen: string[] = [];
  function assertClean(text: string, where: string): void {
    seen.push(where);
    for (const v of values)
      assert.ok(!text.includes(v), `${where} shows the planted ${v}: ${text.slice(Math.max(0, text.indexOf(v) - 200), text.indexOf(v) + 50)}`);
  }

  test('the plant covers every declared secret (and there are some)', () => {
    assert.ok(planted.get('null')!.has('token') && planted.get('s3')!.has('secretAccessKey'));
    for (const scheme of knownSchemes()) assert.equal(planted.has(scheme), (declaredOptions(scheme)?.secret.size ?? 0) > 0, scheme);
    for (const [scheme, m] of planted) {
      const t = parseTarget(withSecrets(scheme));
      assert.deepEqual([...t.secrets].sort(), [...m.values()].sort(), `${scheme}: every planted value is a secret of the target`);
      assertClean(t.redacted, `${scheme} redacted URL`);
    }
  });

  test('run with the secrets in the URL: null:// is stored; the others are refused at 127.0.0.1:1', () => {
    for (const scheme of planted.keys()) {
      const r = storbench(['run', '--target', withSecrets(scheme), '--workload', 'put-small', '--duration', '300ms', '--db', db]);
      assert.ok(r.code === 0 || r.code === 2, `${scheme}: exit ${r.code}: ${r.stderr}`);
      assertClean(r.stdout + r.stderr, `run ${scheme}:// output`);
    }
  });

  test('a schedule of every driver with a secret, as env references: added, run now (CLI), run by the API', async () => {
    const targets = join(dir, 'proof-targets.yaml');
    const lines = ['targets:'];
    for (const [scheme, m] of planted) {
      lines.push(`  - name: proof-${scheme}`, `    url: ${JSON.stringify(BASE[scheme])}`);
      lines.push(`    env: { ${[...m.keys()].map((o) => `${o}: ${envName(scheme, o)}`).join(', ')} }`);
    }
    writeFileSync(targets, `${lines.join('\n')}\n`);
    const added = storbench(
      ['schedule', 'add', 'proof', '--cron', '0 3 * * *', '--targets', targets, '--workloads', 'put-small', '--duration', '300ms', '--db', db],
      env,
    );
    assert.equal(added.code, 0, added.stderr);
    assertClean(added.stdout + added.stderr, 'schedule add');
    const now = storbench(['schedule', 'run-now', 'proof', '--db', db], env);
    assert.ok(now.code === 0 || now.code === 1, now.stderr);
    assert.match(now.stdout + now.stderr, /proof-null/);
    assertClean(now.stdout + now.stderr, 'schedule run-now');

    const store = openStore(db);
    const logged: string[] = [];
    const scheduler = new Scheduler({ store, env: { ...process.env, ...env }, log: (line) => logged.push(line) });
    const app = await buildApp({ store, token: 'proof-token-0123456789abcdef', scheduler });
    try {
      const started = await app.inject({ method: 'POST', url: '/api/schedules/proof/run', headers: { authorization: 'Bearer proof-token-0123456789abcdef' } });
      assert.ok(started.statusCode < 300, started.body);
      assertClean(started.body, 'POST /api/schedules/proof/run');
      await scheduler.idle();
      assertClean(logged.join('\n'), 'the scheduler log');
      const runs = (await app.inject('/api/runs')).json() as { runs: { id: string; scheme: string }[] };
      assert.ok(runs.runs.filter((r) => r.scheme === 'null').length >= 3, 'null:// ran from run, run-now and the API');
      const ids = runs.runs.map((r) => r.id);
      const urls = [
        '/api/runs',
        '/api/schedules',
        '/api/schedules/proof?jobs=10',
        '/metrics',
        '/api/matrix',
        `/api/compare?ids=${ids.slice(0, 2).join(',')}`,
        ...ids.map((id) => `/api/runs/${id}`),
        ...['csv', 'json', 'md'].flatMap((f) => [
          `/api/export/runs?format=${f}`,
          `/api/export/matrix?format=${f}`,
          `/api/export/compare?ids=${ids.slice(0, 2).join(',')}&format=${f}`,
        ]),
      ];
      for (const url of urls) {
        const r = await app.inject(url);
        assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
        assertClean(r.body, `GET ${url}`);
      }
    } finally {
      await scheduler.stop();
      await app.close();
      store.close();
    }
    for (const args of [
      ['runs', '--json'],
      ['schedule', 'list', '--json'],
      ['schedule', 'show', 'proof', '--json'],
    ]) {
      const r = storbench([...args, '--db', db]);
      assert.equal(r.code, 0, r.stderr);
      assertClean(r.stdout + r.stderr, args.join(' '));
    }
  });

  test('the database file and its -wal hold none of the planted values', () => {
    assert.ok(existsSync(db));
    for (const f of [db, `${db}-wal`]) if (existsSync(f)) assertClean(readFileSync(f, 'latin1'), f);
    assert.ok(seen.length > 30, `looked in ${seen.length} places`);
  });
});
