import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../../src/config/config.js';
import { openWarehouse, type Warehouse } from '../../src/warehouse/connection.js';
import { removeEmbeddedWarehouse } from '../../src/warehouse/embedded.js';
import { migrate } from '../../src/warehouse/migrator.js';
import { silentLogger } from './logger.js';

/**
 * A real, private PostgreSQL database for one test file: a fresh database on the server in
 * DATABASE_URL when set (CI: the machine's PostgreSQL), else a fresh embedded server in a temp
 * directory. Either way no test file sees another's rows.
 */
export interface TestDatabase {
  url: string;
  /** config to hand to code under test (and to the CLI as DATABASE_URL) */
  warehouseConfig: Config['warehouse'];
  warehouse: Warehouse;
  drop(): Promise<void>;
}

let counter = 0;

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const log = silentLogger();
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `hbtest_${process.pid}_${Date.now().toString(36)}_${counter++}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = withDatabase(serverUrl, name);
    const warehouseConfig = { url, port: 0, dir: '' };
    const warehouse = await openWarehouse(warehouseConfig, log);
    if (options.migrate !== false) await migrate(warehouse.pool, log);
    return {
      url,
      warehouseConfig,
      warehouse,
      async drop() {
        await warehouse.close();
        const client = new pg.Client({ connectionString: serverUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'hbtest-warehouse-'));
  const warehouseConfig = { url: undefined, port: await freePort(), dir };
  const warehouse = await openWarehouse(warehouseConfig, log);
  if (options.migrate !== false) await migrate(warehouse.pool, log);
  return {
    url: warehouse.url,
    warehouseConfig: { ...warehouseConfig, url: warehouse.url },
    warehouse,
    async drop() {
      await warehouse.close();
      await removeEmbeddedWarehouse(dir);
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Connections of a test's own to a test database, each a session of its own; `endAll` closes them. */
export function sessions(url: () => string): { connect(): Promise<pg.Client>; endAll(): Promise<void> } {
  const clients: pg.Client[] = [];
  return {
    async connect() {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      clients.push(client);
      return client;
    },
    async endAll() {
      for (const client of clients.splice(0)) await client.end().catch(() => undefined);
    },
  };
}
