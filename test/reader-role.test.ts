import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openWarehouse } from '../src/warehouse/connection.js';
import { migrate } from '../src/warehouse/migrator.js';
import { READER_GROUP_PREFIX, scramVerifier } from '../src/warehouse/readers.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, withDatabase, type TestDatabase } from './helpers/database.js';
import { silentLogger } from './helpers/logger.js';

// Roles are cluster-wide: names unique to this process, dropped at the end.
const READER = `hbtest_reader_${process.pid}`;
const PASSWORD = randomBytes(18).toString('base64');

const isDenied = (error: unknown) => (error as { code?: string }).code === '42501';

describe('the read-only reader role', () => {
  let db: TestDatabase;
  let reader: pg.Client;

  before(async () => {
    db = await createTestDatabase();
    const created = await runCli(['warehouse', '--create-reader', READER], {
      env: { DATABASE_URL: db.url, HYBRIDBANK_READER_PASSWORD: PASSWORD },
    });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, new RegExp(`Created reader ${READER}`));
    assert.match(created.stdout, /HYBRIDBANK_READER_PASSWORD \(not printed\)/);
    assert.ok(!`${created.stdout}${created.stderr}`.includes(PASSWORD), 'the password is never printed');

    // dbt has not run in this database: a table made after the migration stands in for a mart,
    // which also proves the default privileges reach tables created later.
    await db.warehouse.pool.query(`CREATE TABLE marts.reader_probe (id int); INSERT INTO marts.reader_probe VALUES (1), (2)`);

    const url = new URL(db.url);
    url.username = READER;
    url.password = PASSWORD;
    reader = new pg.Client({ connectionString: url.toString() });
    await reader.connect();
  });

  after(async () => {
    await reader?.end();
    await db.warehouse.pool.query(`DROP ROLE IF EXISTS ${READER}`);
    await db.drop();
  });

  it("logs in as a member of this database's own reader group and reads the marts", async () => {
    const { rows } = await reader.query<{ n: string; groups: string[] }>(
      `SELECT count(*) AS n,
              (SELECT array_agg(g.rolname::text) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user)) AS groups
       FROM marts.reader_probe`,
    );
    const { rows: own } = await db.warehouse.pool.query(`SELECT raw.reader_group_name()::text AS g`);
    assert.equal(rows[0]!.n, '2');
    assert.deepEqual(rows[0]!.groups, [own[0].g]);
    assert.ok(own[0].g.startsWith(READER_GROUP_PREFIX));
  });

  it("cannot connect to another hybridbank database, nor read its marts once made a reader of it elsewhere", async () => {
    // another hybridbank database on the same server (the embedded path gives each test database
    // a server of its own, where this role would not even exist)
    const name = `hbtest_other_${process.pid}`;
    await db.warehouse.pool.query(`CREATE DATABASE ${name}`);
    const otherUrl = withDatabase(db.url, name);
    const other = await openWarehouse({ url: otherUrl, port: 0, dir: '' }, silentLogger());
    try {
      await migrate(other.pool, silentLogger());
      await other.pool.query(`CREATE TABLE marts.secret (id int); INSERT INTO marts.secret VALUES (1)`);
      const url = new URL(otherUrl);
      url.username = READER;
      url.password = PASSWORD;
      const intruder = new pg.Client({ connectionString: url.toString() });
      await assert.rejects(intruder.connect(), (e: { code?: string; message?: string }) => e.code === '42501' && /permission denied for database/.test(e.message ?? ''));
      // even with CONNECT given back to everyone, the marts of the other database stay closed
      await other.pool.query(`GRANT CONNECT ON DATABASE ${name} TO PUBLIC`);
      const again = new pg.Client({ connectionString: url.toString() });
      await again.connect();
      try {
        await assert.rejects(again.query('SELECT * FROM marts.secret'), isDenied);
      } finally {
        await again.end();
      }
    } finally {
      await other.close();
      await db.warehouse.pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });

  it('starts every session read-only', async () => {
    const { rows } = await reader.query<{ default_transaction_read_only: string }>('SHOW default_transaction_read_only');
    assert.equal(rows[0]?.default_transaction_read_only, 'on');
    await assert.rejects(reader.query('INSERT INTO marts.reader_probe VALUES (3)'), (e: { code?: string }) => e.code === '25006');
  });

  it('has no write right anywhere, even with read-only switched off', async () => {
    // The grants are the real fence; switching the session default off shows they hold alone.
    await reader.query('SET default_transaction_read_only = off');
    for (const sql of [
      'INSERT INTO marts.reader_probe VALUES (3)',
      'UPDATE marts.reader_probe SET id = 0',
      'DELETE FROM marts.reader_probe',
      'TRUNCATE marts.reader_probe',
      'CREATE TABLE marts.intruder (id int)',
      'CREATE TABLE public.intruder (id int)',
      'CREATE TABLE raw.intruder (id int)',
      'CREATE SCHEMA intruder',
      `INSERT INTO raw.load_runs (load_id, tool_version) VALUES ('00000000-0000-0000-0000-000000000001', 'x')`,
    ]) {
      await assert.rejects(reader.query(sql), isDenied, sql);
    }
    const { rows } = await db.warehouse.pool.query('SELECT count(*)::int AS n FROM marts.reader_probe');
    assert.equal(rows[0].n, 2, 'nothing was written');
  });

  it('cannot read raw or the migration bookkeeping', async () => {
    for (const sql of ['SELECT * FROM raw.transactions', 'SELECT payload FROM raw.banks', 'SELECT * FROM raw.load_runs', 'SELECT * FROM public.hybridbank_migrations']) {
      await assert.rejects(reader.query(sql), isDenied, sql);
    }
  });

  it('sets a new password for an existing reader, and refuses to touch any other role', async () => {
    const again = await runCli(['warehouse', '--create-reader', READER], {
      env: { DATABASE_URL: db.url, HYBRIDBANK_READER_PASSWORD: `${PASSWORD}x` },
    });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`Updated the password of reader ${READER}`));

    const server = new URL(db.url).username;
    const before = await db.warehouse.pool.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [server]);
    const refused = await runCli(['warehouse', '--create-reader', server], {
      env: { DATABASE_URL: db.url, HYBRIDBANK_READER_PASSWORD: PASSWORD },
    });
    assert.equal(refused.code, 1);
    // (not the group's name: with the embedded server, its password "hybridbank" is a registered secret and redacted)
    assert.match(refused.stderr, /role named \w+ already exists and is not a plain member of a hybridbank reader group/);
    const afterwards = await db.warehouse.pool.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [server]);
    assert.deepEqual(afterwards.rows, before.rows, 'the password of the server role is unchanged');
  });

  it('needs the password and a plain name', async () => {
    const noPassword = await runCli(['warehouse', '--create-reader', 'someone'], { env: { DATABASE_URL: db.url, HYBRIDBANK_READER_PASSWORD: undefined } });
    assert.equal(noPassword.code, 1);
    assert.match(noPassword.stderr, /needs the reader's password in HYBRIDBANK_READER_PASSWORD/);
    const badName = await runCli(['warehouse', '--create-reader', 'Robert"; DROP'], { env: { DATABASE_URL: db.url, HYBRIDBANK_READER_PASSWORD: PASSWORD } });
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /Invalid reader name/);
  });

  it('sends the server the same SCRAM verifier it computes itself', async () => {
    // The server hashes a plain-text password with its own salt; ours, given that salt, must agree.
    const probe = `hbtest_scram_${process.pid}`;
    const client = await db.warehouse.pool.connect();
    try {
      await client.query(`SET password_encryption = 'scram-sha-256'`);
      await client.query(`CREATE ROLE ${probe} PASSWORD ${pg.escapeLiteral(PASSWORD)}`);
      const { rows } = await client.query<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [probe]);
      const stored = rows[0]!.rolpassword;
      const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored) ?? [];
      assert.ok(iterations && salt, stored);
      assert.equal(scramVerifier(PASSWORD, Buffer.from(salt, 'base64'), Number(iterations)), stored);
    } finally {
      await client.query(`DROP ROLE IF EXISTS ${probe}`);
      client.release();
    }
  });
});
