import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { HybridbankError } from '../src/core/errors.js';
import { migrate, MIGRATIONS_DIR, readMigrationFiles } from '../src/warehouse/migrator.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { silentLogger } from './helpers/logger.js';
import { scratchDir } from './helpers/scratch.js';

const log = silentLogger();

describe('migrations', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(() => db.drop());

  it('applies every migration once, and a second run is a no-op', async () => {
    const first = await migrate(db.warehouse.pool, log);
    assert.deepEqual(first.applied, readMigrationFiles().map((f) => f.name));
    const second = await migrate(db.warehouse.pool, log);
    assert.deepEqual(second.applied, []);
    assert.equal(second.alreadyApplied.length, first.applied.length);
  });

  it('creates the raw tables with their keys, foreign keys and CHECKs', async () => {
    const { rows } = await db.warehouse.pool.query<{ table: string; name: string; type: string; definition: string }>(`
      SELECT c.conrelid::regclass::text AS table, c.conname AS name, c.contype AS type, pg_get_constraintdef(c.oid) AS definition
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = 'raw' ORDER BY 1, 2`);
    const has = (table: string, type: string, fragment: string) =>
      assert.ok(
        rows.some((r) => r.table === table && r.type === type && r.definition.includes(fragment)),
        `${table} should have a ${type} constraint containing ${fragment}`,
      );
    has('raw.load_runs', 'p', 'PRIMARY KEY (load_id)');
    has('raw.banks', 'p', 'PRIMARY KEY (bank_id)');
    has('raw.accounts', 'p', 'PRIMARY KEY (bank_id, account_id)');
    has('raw.accounts', 'f', 'FOREIGN KEY (bank_id) REFERENCES raw.banks(bank_id)');
    has('raw.transactions', 'p', 'PRIMARY KEY (transaction_id)');
    has('raw.transactions', 'f', 'FOREIGN KEY (bank_id, account_id) REFERENCES raw.accounts(bank_id, account_id)');
    for (const table of ['raw.banks', 'raw.accounts', 'raw.transactions']) has(table, 'f', 'REFERENCES raw.load_runs(load_id)');
    has('raw.banks', 'c', "'REAL_API'::text, 'OBP_SNAPSHOT'::text");
    has('raw.accounts', 'c', "'REAL_API'::text, 'OBP_SNAPSHOT'::text");
    has('raw.transactions', 'c', "data_source = 'SYNTHETIC'::text");
  });

  it('refuses to store a lineage violation', async () => {
    const pool = db.warehouse.pool;
    await pool.query(`INSERT INTO raw.load_runs (load_id, tool_version) VALUES ('00000000-0000-0000-0000-000000000001', 'test')`);
    await assert.rejects(
      pool.query(`INSERT INTO raw.banks (bank_id, payload, data_source, extracted_at, load_id)
                  VALUES ('b', '{}', 'SYNTHETIC', now(), '00000000-0000-0000-0000-000000000001')`),
      /banks_data_source_check/,
    );
    await pool.query(`INSERT INTO raw.banks (bank_id, payload, data_source, extracted_at, load_id)
                      VALUES ('b', '{}', 'OBP_SNAPSHOT', now(), '00000000-0000-0000-0000-000000000001')`);
    await pool.query(`INSERT INTO raw.accounts (bank_id, account_id, payload, data_source, extracted_at, load_id)
                      VALUES ('b', 'a', '{}', 'OBP_SNAPSHOT', now(), '00000000-0000-0000-0000-000000000001')`);
    await assert.rejects(
      pool.query(`INSERT INTO raw.transactions (transaction_id, bank_id, account_id, amount, currency, transaction_type, description,
                    channel, transaction_date, is_weekend, balance_after, data_source, generated_at, load_id)
                  VALUES ('t', 'b', 'a', -5, 'GBP', 'POS Purchase', 'x', 'POS', now(), false, 0, 'REAL_API', now(), '00000000-0000-0000-0000-000000000001')`),
      /transactions_data_source_check/,
    );
    await assert.rejects(
      pool.query(`INSERT INTO raw.transactions (transaction_id, bank_id, account_id, amount, currency, transaction_type, description,
                    channel, transaction_date, is_weekend, balance_after, data_source, generated_at, load_id)
                  VALUES ('t', 'b', 'nope', -5, 'GBP', 'POS Purchase', 'x', 'POS', now(), false, 0, 'SYNTHETIC', now(), '00000000-0000-0000-0000-000000000001')`),
      /transactions_account_fkey/,
    );
  });

  it('takes as merchant category exactly four ASCII digits or NULL, the rule of the regex it replaced', async () => {
    const pool = db.warehouse.pool;
    const candidates = ['5411', '0742', '9999', null, '541', '54111', '541a', 'a541', ' 541', '5411 ', '', '٣٤٥٦', '５４１１', '54.1', '-541', '5\n41'];
    for (const [i, mcc] of candidates.entries()) {
      const { rows } = await pool.query<{ regex: boolean | null }>(`SELECT $1::text ~ '^[0-9]{4}$' AS regex`, [mcc]);
      const insert = pool.query(
        `INSERT INTO raw.transactions (transaction_id, bank_id, account_id, amount, currency, transaction_type, description,
           merchant_category, channel, transaction_date, is_weekend, balance_after, data_source, generated_at, load_id)
         VALUES ($1, 'b', 'a', -5, 'GBP', 'POS Purchase', 'x', $2, 'POS', now(), false, 0, 'SYNTHETIC', now(), '00000000-0000-0000-0000-000000000001')`,
        [`t-mcc-${i}`, mcc],
      );
      if (rows[0]!.regex === false) await assert.rejects(insert, /transactions_mcc_check/, `${JSON.stringify(mcc)} refused`);
      else await insert;
    }
    const { rows } = await pool.query(`SELECT merchant_category FROM raw.transactions WHERE transaction_id LIKE 't-mcc-%' ORDER BY transaction_id`);
    assert.deepEqual(rows.map((r) => r.merchant_category).sort(), ['0742', '5411', '9999', null].sort());
  });
});

describe('a failing migration', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(() => db.drop());

  it('leaves the database as it was and names the file and the statement', async () => {
    const dir = scratchDir('hb-migrations-');
    copyFileSync(path.join(MIGRATIONS_DIR, '0001_raw_schema.sql'), path.join(dir, '0001_raw_schema.sql'));
    writeFileSync(
      path.join(dir, '0002_broken.sql'),
      '-- a good statement, then a bad one\nCREATE TABLE raw.should_vanish (id int);\n\nALTER TABLE raw.no_such_table\n    ADD COLUMN x int;\n',
    );
    const error = await migrate(db.warehouse.pool, log, dir).then(
      () => assert.fail('migration should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof HybridbankError);
    assert.equal(error.code, 'MIGRATION_FAILED');
    assert.match(error.message, /0002_broken\.sql/);
    assert.match(error.message, /line 4 \(ALTER TABLE raw\.no_such_table\)/);
    assert.match(error.message, /does not exist/);
    const { rows } = await db.warehouse.pool.query(`SELECT to_regclass('raw.should_vanish') AS t, to_regclass('raw.banks') AS b`);
    assert.equal(rows[0].t, null, 'the failed migration left nothing behind');
    assert.equal(rows[0].b, 'raw.banks', 'earlier migrations stay applied');
    const applied = await db.warehouse.pool.query(`SELECT name FROM public.hybridbank_migrations ORDER BY name`);
    assert.deepEqual(applied.rows.map((r) => r.name), ['0001_raw_schema.sql']);
  });

  it('refuses a migration edited after it landed', async () => {
    const dir = scratchDir('hb-migrations-');
    copyFileSync(path.join(MIGRATIONS_DIR, '0001_raw_schema.sql'), path.join(dir, '0001_raw_schema.sql'));
    writeFileSync(path.join(dir, '0001_raw_schema.sql'), '-- edited\n', { flag: 'a' });
    await assert.rejects(migrate(db.warehouse.pool, log, dir), /was changed after it was applied/);
  });
});

describe('concurrent migrations', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(() => db.drop());

  it('serialise on the advisory lock: each file is applied exactly once', async () => {
    const [a, b] = await Promise.all([migrate(db.warehouse.pool, log), migrate(db.warehouse.pool, log)]);
    const files = readMigrationFiles().map((f) => f.name);
    assert.deepEqual([...a.applied, ...b.applied].sort(), files);
  });
});

describe('a migration beside a reader holding a lock', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(() => db.drop());

  it('fails after its lock waits, naming the reader, with nothing of it applied; once the reader is done it applies', async () => {
    const dir = scratchDir('hb-migrations-');
    copyFileSync(path.join(MIGRATIONS_DIR, '0001_raw_schema.sql'), path.join(dir, '0001_raw_schema.sql'));
    await migrate(db.warehouse.pool, log, dir);
    writeFileSync(path.join(dir, '0002_bank_notes.sql'), 'ALTER TABLE raw.banks\n    ADD COLUMN note text;\n');
    // a dashboard's session left idle in its transaction: it holds raw.banks until it ends
    const reader = new pg.Client({ connectionString: db.url, application_name: 'dashboard' });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM raw.banks');
      const started = Date.now();
      const error = await migrate(db.warehouse.pool, log, dir, { policy: { timeoutMs: 100, retries: 1 }, signal: new AbortController().signal }).then(
        () => assert.fail('the migration should give up'),
        (e: unknown) => e,
      );
      assert.ok(Date.now() - started < 10_000, 'it gives up, not waits as long as the reader');
      assert.ok(error instanceof HybridbankError, String(error));
      assert.match(error.message, /The migration could not apply 0002_bank_notes\.sql: 2 waits of 100 ms for a lock all timed out/);
      assert.match(error.message, /application "dashboard", idle in transaction/);
      assert.match(error.message, /Migration 0002_bank_notes\.sql was rolled back/);
      assert.match(error.hint ?? '', /SELECT pg_terminate_backend\(\d+\)/);
      const { rows } = await db.warehouse.pool.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = 'banks' AND column_name = 'note'`);
      assert.equal(rows[0].n, 0, 'nothing of it applied');
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
    }
    assert.deepEqual((await migrate(db.warehouse.pool, log, dir)).applied, ['0002_bank_notes.sql']);
  });
});
