import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LoadSummary } from '../src/load/summary.js';
import { NO_FAULTS } from '../src/obp/sandbox/server.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { CONSUMER_KEY, liveObpEnv, manyBanks, OWNER, startObpServer, type SandboxServer } from './helpers/obp-server.js';
import { loadRuns } from './helpers/warehouse-queries.js';

const ARGS = ['--obp-source', 'live', '--transactions-per-account', '20', '--seed', '8', '--as-of', '2026-10-31'];

/** Loads live from the local OBP server as OWNER, into the test's database. */
function load(db: TestDatabase, server: SandboxServer, extra: string[] = [], env: Record<string, string> = {}) {
  return runCli(['load', ...ARGS, ...extra], {
    env: {
      DATABASE_URL: db.url,
      ...liveObpEnv(server),
      ...env,
    },
  });
}

async function accountStates(db: TestDatabase): Promise<Record<string, { active: boolean; seen: string; rows: number }>> {
  const { rows } = await db.warehouse.pool.query<{ id: string; active: boolean; seen: string; rows: number }>(`
    SELECT a.account_id AS id, a.is_active AS active, a.last_seen_load_id::text AS seen,
           (SELECT count(*)::int FROM raw.transactions t WHERE t.bank_id = a.bank_id AND t.account_id = a.account_id) AS rows
    FROM raw.accounts a ORDER BY 1`);
  return Object.fromEntries(rows.map(({ id, ...state }) => [id, state]));
}

describe('a load against an OBP that sends bad records and loses some', () => {
  let db: TestDatabase;
  let server: SandboxServer;
  before(async () => {
    db = await createTestDatabase();
    server = await startObpServer({ data: manyBanks(3, 3) });
  });
  after(async () => {
    await server.close();
    await db.drop();
  });

  it('sets bad records aside, loads the rest, and lists them in the summary, --json and raw.load_runs', async () => {
    server.faults = { ...structuredClone(NO_FAULTS), balances: { 'acc-1-1': '12,50' }, currencies: { 'acc-1-2': 'eur' }, labels: { 'acc-2-1': 'a\u0000b' }, duplicateBank: true };
    const text = await load(db, server);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Set aside\s+2 OBP record\(s\), not loaded:/);
    assert.match(text.stdout, /account bank-01 \/ acc-1-1: balance "12,50" is not an exact amount/);
    assert.match(text.stdout, /bank bank-01: bank "bank-01" is listed more than once/);

    const json = await load(db, server, ['--json']);
    assert.equal(json.code, 0, json.stderr);
    const summary = JSON.parse(json.stdout) as LoadSummary;
    assert.deepEqual(summary.setAside.map((r) => [r.kind, r.bankId, r.accountId]), [['bank', 'bank-01', null], ['account', 'bank-01', 'acc-1-1']]);
    assert.equal(summary.accounts, 8);

    const { rows } = await db.warehouse.pool.query(`SELECT set_aside FROM raw.load_runs WHERE load_id = $1`, [summary.loadId]);
    assert.deepEqual(rows[0].set_aside, summary.setAside);
    const stored = await db.warehouse.pool.query(`
      SELECT a.currency, a.account_label, (SELECT array_agg(DISTINCT t.currency) FROM raw.transactions t WHERE t.account_id = a.account_id AND t.bank_id = a.bank_id) AS tx
      FROM raw.accounts a WHERE a.bank_id = 'bank-01' AND a.account_id IN ('acc-1-2') UNION ALL
      SELECT a.currency, a.account_label, NULL FROM raw.accounts a WHERE a.account_id = 'acc-2-1'`);
    assert.deepEqual(stored.rows[0], { currency: 'EUR', account_label: 'Account 2 at Bank number 1', tx: ['EUR'] });
    assert.equal(stored.rows[1].account_label, 'a\ufffdb');
    assert.equal((await accountStates(db))['acc-1-1'], undefined, 'the set-aside account was never loaded');
  });

  it('marks an account OBP stops listing inactive, keeping its rows and when it was last seen', async () => {
    server.faults = { ...structuredClone(NO_FAULTS), unlistedAccounts: ['acc-1-3'] };
    const before = await accountStates(db);
    const result = await load(db, server);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Inactive now\s+0 bank\(s\), 1 account\(s\)/);
    const after = await accountStates(db);
    assert.equal(after['acc-1-3']!.active, false);
    assert.equal(after['acc-1-3']!.seen, before['acc-1-3']!.seen, 'last seen by the run before');
    assert.equal(after['acc-1-3']!.rows, 20, 'history kept');
    assert.equal(after['acc-1-1']!.active, true);
  });

  it('a bank OBP no longer lists goes inactive with its accounts; a run asking for fewer banks changes nothing else', async () => {
    server.faults = { ...structuredClone(NO_FAULTS), unlistedBanks: ['bank-03'] };
    const gone = await load(db, server);
    assert.equal(gone.code, 0, gone.stderr);
    const banks = await db.warehouse.pool.query(`SELECT bank_id, is_active FROM raw.banks ORDER BY 1`);
    assert.deepEqual(banks.rows, [
      { bank_id: 'bank-01', is_active: true },
      { bank_id: 'bank-02', is_active: true },
      { bank_id: 'bank-03', is_active: false },
    ]);
    const states = await accountStates(db);
    assert.deepEqual(['acc-3-1', 'acc-3-2', 'acc-3-3'].map((id) => states[id]!.active), [false, false, false]);

    server.faults = structuredClone(NO_FAULTS);
    const fewer = await load(db, server, ['--banks', '1']);
    assert.equal(fewer.code, 0, fewer.stderr);
    const after = await accountStates(db);
    assert.equal(after['acc-2-1']!.active, true, 'bank-02 not asked for: unchanged');
    assert.equal(after['acc-2-1']!.seen, states['acc-2-1']!.seen);
    assert.equal(after['acc-1-3']!.active, true, 'listed again at bank-01: active again');
  });

  it('--prune deletes the synthetic transactions of inactive accounts only', async () => {
    server.faults = { ...structuredClone(NO_FAULTS), unlistedAccounts: ['acc-2-2'] };
    const result = await load(db, server, ['--bank-id', 'bank-02', '--prune']);
    assert.equal(result.code, 0, result.stderr);
    const states = await accountStates(db);
    for (const id of ['acc-2-2', 'acc-3-1', 'acc-3-3']) assert.deepEqual([id, states[id]!.active, states[id]!.rows], [id, false, 0]);
    assert.deepEqual(states['acc-1-3'], { ...states['acc-1-3'], active: true, rows: 20 });
    assert.equal(states['acc-2-1']!.rows, 20);
  });
});

describe('every run is audited', () => {
  let db: TestDatabase;
  let server: SandboxServer;
  before(async () => {
    db = await createTestDatabase();
    server = await startObpServer({ data: manyBanks(1, 1) });
  });
  after(async () => {
    await server.close();
    await db.drop();
  });

  it('a run failing at extraction leaves a failed row with the OBP code', async () => {
    const badLogin = await load(db, server, [], { OBP_PASSWORD: 'not-the-password' });
    assert.equal(badLogin.code, 1);
    server.faults = { ...structuredClone(NO_FAULTS), unavailable: Infinity };
    const down = await load(db, server);
    assert.equal(down.code, 1);
    const runs = await loadRuns(db.warehouse.pool);
    assert.deepEqual(runs.map((r) => r.status), ['failed', 'failed']);
    assert.match(runs[0]!.error ?? '', /OBP_AUTH: .*OBP-20004/);
    assert.match(runs[1]!.error ?? '', /OBP_HTTP: .*503.*OBP-50000/);
    assert.ok(!JSON.stringify(runs).includes('not-the-password'));
  });
});
