import { randomBytes } from 'node:crypto';
import { createReader } from '../../src/warehouse/readers.js';
import type { TestDatabase } from './database.js';
import { silentLogger } from './logger.js';

/**
 * A member of hybridbank_reader for this test file (roles are cluster-wide: the name carries the
 * process id), and the URL it logs in with. drop() removes the role.
 */
export async function createTestReader(db: TestDatabase, prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}`;
  const password = randomBytes(18).toString('base64');
  await createReader(db.warehouse.pool, { name, password }, silentLogger());
  const url = new URL(db.url);
  url.username = name;
  url.password = password;
  return {
    name,
    url: url.toString(),
    async drop() {
      await db.warehouse.pool.query(`DROP ROLE IF EXISTS ${name}`);
    },
  };
}
