import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { distributeIfCitus } from './citus.js';
import { DEFAULT_LOCK_POLICY, LOCK_NOT_AVAILABLE, withLockRetries, type LockContext, type LockPolicy } from './locks.js';
import { splitSqlStatements } from './sql-statements.js';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const STORAGE_TABLE = 'public.hybridbank_migrations';
/** Any constant shared by all hybridbank processes; pg_advisory_lock takes a bigint. */
const MIGRATION_LOCK_KEY = 72_690_001;

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrationFiles(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * umzug storage in the warehouse itself. Recording a migration happens inside that migration's
 * transaction (see `up` below), so `logMigration` only has to be idempotent.
 */
class PostgresStorage implements UmzugStorage {
  constructor(private readonly client: pg.ClientBase) {}

  async executed(): Promise<string[]> {
    const { rows } = await this.client.query<{ name: string }>(`SELECT name FROM ${STORAGE_TABLE} ORDER BY name`);
    return rows.map((r) => r.name);
  }

  async logMigration({ name }: { name: string }): Promise<void> {
    await this.client.query(`INSERT INTO ${STORAGE_TABLE} (name, checksum) VALUES ($1, '') ON CONFLICT (name) DO NOTHING`, [name]);
  }

  async unlogMigration({ name }: { name: string }): Promise<void> {
    await this.client.query(`DELETE FROM ${STORAGE_TABLE} WHERE name = $1`, [name]);
  }
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Applies pending migrations under a Postgres advisory lock (a second process waits), each file in
 * its own transaction together with its storage row. A failure rolls that file back and names the
 * file, the statement and its line. A file waits for a lock a reader holds (an ALTER TABLE of a
 * table a dashboard's session has open) under `locks`' policy, as a load's steps do, and then
 * fails naming the reader, instead of waiting as long as the reader does.
 */
export async function migrate(
  pool: pg.Pool,
  log: Logger,
  dir = MIGRATIONS_DIR,
  locks: { policy: LockPolicy; signal: AbortSignal } = { policy: DEFAULT_LOCK_POLICY, signal: new AbortController().signal },
): Promise<MigrationResult> {
  const files = readMigrationFiles(dir);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${STORAGE_TABLE} (
         name        text PRIMARY KEY,
         checksum    text NOT NULL,
         applied_at  timestamptz NOT NULL DEFAULT now()
       )`,
    );
    await checkLandedMigrationsUnchanged(client, files);
    const umzug = new Umzug({
      storage: new PostgresStorage(client),
      logger: undefined,
      migrations: files.map((file) => ({
        name: file.name,
        up: () => applyFile(file, { client, pool, log, ...locks }),
      })),
    });
    const alreadyApplied = (await umzug.executed()).map((m) => m.name);
    const applied = (await umzug.up()).map((m) => m.name);
    for (const name of applied) log.info({ migration: name }, `applied migration ${name}`);
    // CREATE EXTENSION citus may come after 0006 ran: every migrate checks again (a catalog read).
    if (await distributeIfCitus(client)) log.info('citus: raw layer distributed (raw.transactions by account_id, the rest reference tables)');
    log.info({ applied: applied.length, alreadyApplied: alreadyApplied.length }, applied.length ? 'migrations applied' : 'schema is up to date');
    return { applied, alreadyApplied };
  } catch (error) {
    throw unwrapUmzugError(error);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

async function applyFile(file: MigrationFile, locks: Omit<LockContext, 'failure'>): Promise<void> {
  const { client } = locks;
  await client.query('BEGIN');
  try {
    const failure = { actor: 'The migration', unchanged: `Migration ${file.name} was rolled back (the ones before it stay applied).` };
    await withLockRetries({ ...locks, failure }, `apply ${file.name}`, () => applyStatements(client, file));
    await client.query(`INSERT INTO ${STORAGE_TABLE} (name, checksum) VALUES ($1, $2)`, [file.name, file.checksum]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

async function applyStatements(client: pg.ClientBase, file: MigrationFile): Promise<void> {
  for (const statement of splitSqlStatements(file.sql)) {
    try {
      await client.query(statement.text);
    } catch (error) {
      // a lock wait that timed out is withLockRetries' to retry
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) throw error;
      const firstLine = statement.text.split('\n').find((l) => l.trim() && !l.trim().startsWith('--')) ?? '';
      throw new HybridbankError(
        'MIGRATION_FAILED',
        `Migration ${file.name} failed at the statement on line ${statement.line} (${firstLine.trim()}): ${messageOf(error)}. The database was left as it was before this migration.`,
        { hint: `Fix migrations/${file.name} (if it has not landed yet) or the database state, then run 'npm run migrate' again.`, cause: error },
      );
    }
  }
}

async function checkLandedMigrationsUnchanged(client: pg.ClientBase, files: MigrationFile[]): Promise<void> {
  const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM ${STORAGE_TABLE}`);
  const byName = new Map(files.map((f) => [f.name, f.checksum]));
  for (const row of rows) {
    const current = byName.get(row.name);
    if (current && row.checksum && current !== row.checksum) {
      throw new HybridbankError('MIGRATION_FAILED', `Migration ${row.name} was changed after it was applied to this database.`, {
        hint: 'Never edit a migration that has landed: restore the file and put the change in a new numbered migration.',
      });
    }
  }
}

/** umzug wraps errors in MigrationError; surface ours (or a clear one) instead. */
function unwrapUmzugError(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof HybridbankError) return current;
    current = current.cause;
  }
  if (error instanceof HybridbankError) return error;
  return new HybridbankError('MIGRATION_FAILED', `Migrations failed: ${messageOf(error)}`, { cause: error });
}
