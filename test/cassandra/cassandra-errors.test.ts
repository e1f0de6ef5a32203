/** The Cassandra error mapper, without a server: messages are one line (review D4), native codes kept. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import cassandra from 'cassandra-driver';
import { cassandraDriver } from '../../src/drivers/cassandra/cassandra-driver.js';
import { mapCassandraError } from '../../src/drivers/cassandra/cassandra-errors.js';
import { parseTarget } from '../../src/drivers/target.js';
import { isStorageError } from '../../src/drivers/types.js';
import { layerStack } from '../../src/layers/layer-stack.js';

function noHost(): cassandra.errors.NoHostAvailableError {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', port: 1 });
  const auth = new cassandra.errors.AuthenticationError('Provided username bench and/or password are incorrect');
  // the driver's own message embeds the first inner error with util.format: its stack, over several lines
  return new cassandra.errors.NoHostAvailableError({ '127.0.0.1:1': refused, '127.0.0.2:9042': auth });
}

test('NoHostAvailableError becomes one line: each host with its reason', () => {
  const e = noHost();
  assert.match(e.message, /\n/);
  const mapped = mapCassandraError(e, 'open', undefined);
  assert.equal(mapped.message.split('\n').length, 1, mapped.message);
  assert.equal(
    mapped.message,
    'cassandra open: NoHostAvailableError: no host could be used ' +
      '(127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1; 127.0.0.2:9042: Provided username bench and/or password are incorrect)',
  );
  assert.equal(mapped.kind, 'Unavailable');
  assert.equal(mapped.code, 'NoHostAvailableError');
  assert.equal(mapped.cause, e);
});

test("the target's secrets are scrubbed from a mapped error (by the layer around the driver)", async () => {
  const e = noHost();
  // the real definition (its mapError), with a connect that fails as the client would
  const driver = layerStack(
    {
      ...cassandraDriver,
      connect: async () => {
        throw e;
      },
    },
    { target: parseTarget('cassandra://bench:incorrect@127.0.0.1:1/ks'), concurrency: 1 },
  );
  await assert.rejects(driver.open(), (err: unknown) => {
    assert.ok(isStorageError(err, 'Unavailable'));
    assert.equal(
      err.message,
      'cassandra open: NoHostAvailableError: no host could be used ' +
        '(127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1; 127.0.0.2:9042: Provided username bench and/or password are ***)',
    );
    assert.equal(err.cause, e);
    return true;
  });
});

test('the native code: a protocol error by its name, a client error by its class, a socket error by its errno', () => {
  const codes = cassandra.types.responseErrorCodes;
  const cases: [unknown, string, string][] = [
    [new cassandra.errors.ResponseError(codes.readTimeout, 'Operation timed out - received only 0 responses.'), 'Timeout', 'readTimeout'],
    [new cassandra.errors.ResponseError(codes.unavailableException, 'Cannot achieve consistency level ALL'), 'Unavailable', 'unavailableException'],
    [new cassandra.errors.ResponseError(codes.invalid, 'Undefined column name nope'), 'InvalidInput', 'invalid'],
    [new cassandra.errors.ResponseError(0x7777, 'from a newer server'), 'Unexpected', '0x7777'],
    [new cassandra.errors.OperationTimedOutError('The host 127.0.0.1:9042 did not reply before timeout 12000 ms'), 'Timeout', 'OperationTimedOutError'],
    [new cassandra.errors.BusyConnectionError('127.0.0.1:9042', 2048, 1), 'RateLimited', 'BusyConnectionError'],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', isSocketError: true }), 'Unavailable', 'ECONNRESET'],
  ];
  for (const [e, kind, code] of cases) {
    const mapped = mapCassandraError(e, 'read', 'k');
    assert.equal(mapped.kind, kind, String(e));
    assert.equal(mapped.code, code, String(e));
  }
});
