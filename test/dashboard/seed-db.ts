/**
 * `node --import tsx test/dashboard/seed-db.ts PATH`: write the seeded runs, schedule and multi-client run into a new database
 * at PATH (for scripts/schemathesis.sh, which serves it).
 */
import { openStore } from '../../src/results/sqlite-store.js';
import { seedMultiClientRun, seedSchedule, seedStore } from './seed.js';

const path = process.argv[2];
if (!path) throw new Error('usage: seed-db.ts PATH');
const store = openStore(path);
try {
  seedStore(store);
  seedSchedule(store);
  seedMultiClientRun(store);
} finally {
  store.close();
}
