// Readiness probe: exits 0 once each of N nodes (127.0.0.1..N:9042) answers a CQL query and sees N-1 peers.
// Usage: node cql-ready.mjs N seconds. Prints nothing on success; the reason of the last failure on timeout.
import cassandra from 'cassandra-driver';

const nodes = Number(process.argv[2] ?? 1);
const deadline = Date.now() + Number(process.argv[3] ?? 120) * 1000;
let last = 'no attempt';

async function probe(i) {
  // One client per node with a whitelist, so the answer really comes from that node.
  const address = `127.0.0.${i}:9042`;
  const client = new cassandra.Client({
    contactPoints: [address],
    localDataCenter: 'datacenter1',
    policies: { loadBalancing: new cassandra.policies.loadBalancing.AllowListPolicy(new cassandra.policies.loadBalancing.RoundRobinPolicy(), [address]) },
    socketOptions: { connectTimeout: 2000, readTimeout: 5000 },
  });
  try {
    await client.connect();
    const peers = await client.execute('SELECT peer FROM system.peers');
    if (peers.rowLength !== nodes - 1) throw new Error(`${address} sees ${peers.rowLength} of ${nodes - 1} peers`);
  } finally {
    await client.shutdown().catch(() => {});
  }
}

while (Date.now() < deadline) {
  try {
    for (let i = 1; i <= nodes; i++) await probe(i);
    process.exit(0);
  } catch (e) {
    last = e instanceof Error ? e.message : String(e);
  }
  await new Promise((r) => setTimeout(r, 1000));
}
console.error(`cassandra: not ready: ${last}`);
process.exit(1);
