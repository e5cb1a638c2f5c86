import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config/config.js';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { redactText } from '../log/redact.js';
import { useEmbeddedWarehouse, type EmbeddedWarehouse } from './embedded.js';
import type { Database } from './schema.js';

/** An open connection to the warehouse: the user's PostgreSQL, or the embedded one. */
export interface Warehouse {
  url: string;
  embedded: EmbeddedWarehouse | undefined;
  pool: pg.Pool;
  db: Kysely<Database>;
  close(): Promise<void>;
}

export async function openWarehouse(config: Config['warehouse'], log: Logger, options: { detach?: boolean } = {}): Promise<Warehouse> {
  const embedded = config.url ? undefined : await useEmbeddedWarehouse({ dir: config.dir, port: config.port, log, detach: options.detach ?? false });
  const url = config.url ?? embedded!.url;
  try {
    await ensureReachable(url, log);
  } catch (error) {
    embedded?.release();
    throw error;
  }
  const pool = new pg.Pool({ connectionString: url, max: 6, connectionTimeoutMillis: 10_000 });
  pool.on('error', (error) => log.warn(`idle warehouse connection failed: ${error.message}`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    url,
    embedded,
    pool,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      // kysely ends the pool only if it used it itself; COPY and migrations use the pool directly
      if (!pool.ended) await pool.end();
      embedded?.release();
    },
  };
}

/** Opens the warehouse, runs `work`, and always closes it (the embedded server stops when no command uses it). */
export async function withWarehouse<T>(config: Config['warehouse'], log: Logger, work: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await openWarehouse(config, log);
  try {
    return await work(warehouse);
  } finally {
    await warehouse.close();
  }
}

/** Connects once; creates the database when the server is up but the database does not exist yet. */
async function ensureReachable(url: string, log: Logger): Promise<void> {
  try {
    await probe(url);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '3D000') {
      const name = decodeURIComponent(new URL(url).pathname.slice(1));
      const admin = new URL(url);
      admin.pathname = '/postgres';
      const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        log.info({ database: name }, `created database ${name}`);
      } finally {
        await client.end();
      }
      return;
    }
    throw new HybridbankError(
      'WAREHOUSE_UNREACHABLE',
      `Cannot connect to the warehouse at ${redactText(url)}: ${redactText(messageOf(error) || String(code))}.`,
      { hint: 'Check that PostgreSQL is running and DATABASE_URL is right, or unset DATABASE_URL to use the embedded warehouse.', cause: error },
    );
  }
}

async function probe(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A Kysely bound to one already-connected client, so typed queries run inside the same
 * transaction as raw COPY on that client. Releasing is the caller's business.
 */
export function kyselyOnClient(client: pg.PoolClient): Kysely<Database> {
  const borrowed = { query: client.query.bind(client), release: () => undefined };
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: { connect: async () => borrowed, end: async () => undefined } as unknown as pg.Pool }),
  });
}
