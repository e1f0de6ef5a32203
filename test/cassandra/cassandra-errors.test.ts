/** The Cassandra error mapper, without a server: messages are one line (review D4). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import cassandra from 'cassandra-driver';
import { mapCassandraError } from '../../src/drivers/cassandra/cassandra-errors.js';

test('NoHostAvailableError becomes one line: each host with its reason', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', port: 1 });
  const auth = new cassandra.errors.AuthenticationError('Provided username bench and/or password are incorrect');
  // the driver's own message embeds the first inner error with util.format: its stack, over several lines
  const e = new cassandra.errors.NoHostAvailableError({ '127.0.0.1:1': refused, '127.0.0.2:9042': auth });
  assert.match(e.message, /\n/);
  const mapped = mapCassandraError(e, 'open', undefined, ['incorrect']);
  assert.equal(mapped.message.split('\n').length, 1, mapped.message);
  assert.equal(mapped.message, 'cassandra open: NoHostAvailableError: no host could be used '
    + '(127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1; 127.0.0.2:9042: Provided username bench and/or password are ***)');
  assert.equal(mapped.kind, 'Unavailable');
  assert.equal(mapped.cause, e);
});
