import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { shardOf } from '../src/load/shard.js';
import { NO_FAULTS } from '../src/obp/sandbox/server.js';
import { runCli, startCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { CONSUMER_KEY, liveObpEnv, manyBanks, OWNER, startObpServer, type SandboxServer } from './helpers/obp-server.js';
import { assertOtherShardCountRefused, assertShardLocking, assertShardsOverlap, assertShardUnionIsOneRun, runsEnded, waitingLoads } from './helpers/shard-runs.js';
import { assertSucceeded, copyInProgress, waitFor } from './helpers/warehouse-queries.js';

// `npm run load -- --shard I/N` on single-node PostgreSQL (the machine's, or the embedded one).

const ARGS = ['--transactions-per-account', '40', '--seed', '7', '--as-of', '2026-10-31'];

describe('sharded loads on one PostgreSQL', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  for (const [value, why] of [
    ['3/2', /--shard must have I from 1 to N \(shards are numbered 1\/2 to 2\/2\) \(got "3\/2"\)/],
    ['0/0', /--shard must have N from 1 to 1024 loaders \(got "0\/0"\)/],
    ['x', /--shard must be I\/N, shard I of N loaders \(1\/2 and 2\/2 for two\) \(got "x"\)/],
  ] as const) {
    it(`refuses --shard ${value}, naming the flag and a good value, with nothing written`, async () => {
      const result = await runCli(['load', ...ARGS, '--shard', value], { env: { DATABASE_URL: db.url } });
      assert.equal(result.code, 1);
      assert.match(result.stderr, why);
      assert.match(result.stderr, /for example HYBRIDBANK_SHARD=1\/2 or --shard 1\/2/);
      const { rows } = await db.warehouse.pool.query(`SELECT count(*)::int AS n FROM raw.load_runs`);
      assert.equal(rows[0].n, 0);
    });
  }

  it('places each account in one shard of N, by its bank and account ids only', () => {
    const ids = Array.from({ length: 200 }, (_, i) => [`bank-${i % 3}`, `acc-${i}`] as const);
    for (const n of [1, 2, 3, 7]) {
      const counts = new Array<number>(n + 1).fill(0);
      for (const [bank, account] of ids) {
        const shard = shardOf(bank, account, n);
        assert.ok(shard >= 1 && shard <= n);
        assert.equal(shardOf(bank, account, n), shard, 'stable');
        counts[shard]!++;
      }
      for (let i = 1; i <= n; i++) assert.ok(counts[i]! > 0, `shard ${i}/${n} gets accounts`);
    }
    // the separator keeps ("a_b", "c") and ("a", "b_c") apart, as it does ("ab", "c") and ("a", "bc")
    assert.notEqual(shardOf('ab', 'c', 2 ** 31), shardOf('a', 'bc', 2 ** 31));
  });

  it('N shard-runs at once write exactly the rows of one unsharded run, each audited with its shard and run group', async () => {
    await assertShardUnionIsOneRun({ url: db.url, pool: db.warehouse.pool }, ARGS, 2);
  });

  it('records --run-group as given', async () => {
    const result = await runCli(['load', ...ARGS, '--shard', '1/3', '--run-group', 'nightly-1', '--json'], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).shard, { index: 1, count: 3, runGroup: 'nightly-1' });
    const { rows } = await db.warehouse.pool.query(`SELECT shard_index, shard_count, run_group FROM raw.load_runs ORDER BY started_at DESC LIMIT 1`);
    assert.deepEqual(rows[0], { shard_index: 1, shard_count: 3, run_group: 'nightly-1' });
  });

  it('runs different shards at the same time: one commits while the other is mid-load', async () => {
    await assertShardsOverlap({ url: db.url, pool: db.warehouse.pool }, ARGS, 1_000_000);
  });

  it('refuses a shard-run while a run of another shard count is running', async () => {
    await assertOtherShardCountRefused({ url: db.url, pool: db.warehouse.pool }, ARGS);
  });

  it('makes the same shard twice, and a full load, wait for a running shard-run', async () => {
    await assertShardLocking({ url: db.url, pool: db.warehouse.pool }, ARGS);
  });

  it('marks inactive only the vanished accounts of its own shard', async () => {
    const server = await startObpServer({ data: manyBanks(2, 4) });
    try {
      const live = (extra: string[]) =>
        runCli(['load', ...ARGS, '--obp-source', 'live', ...extra], {
          env: { DATABASE_URL: db.url, OBP_BASE_URL: server.url, OBP_USERNAME: OWNER.email, OBP_PASSWORD: OWNER.password, OBP_CONSUMER_KEY: CONSUMER_KEY, OBP_RETRIES: '1' },
        });
      assert.equal((await live([])).code, 0);
      const { rows } = await db.warehouse.pool.query<{ bank_id: string; account_id: string }>(`SELECT bank_id, account_id FROM raw.accounts WHERE bank_id LIKE 'bank-0%'`);
      const one = rows.find((a) => shardOf(a.bank_id, a.account_id, 2) === 1)!;
      const two = rows.find((a) => shardOf(a.bank_id, a.account_id, 2) === 2)!;
      server.faults = { ...structuredClone(NO_FAULTS), unlistedAccounts: [one.account_id, two.account_id] };
      const active = async () =>
        (await db.warehouse.pool.query<{ account_id: string }>(`SELECT account_id FROM raw.accounts WHERE bank_id LIKE 'bank-0%' AND NOT is_active ORDER BY 1`)).rows.map((r) => r.account_id);

      const first = await live(['--shard', '1/2']);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(await active(), [one.account_id], "shard 1/2 marks its own vanished account, not shard 2/2's");
      assert.equal((await live(['--shard', '2/2'])).code, 0);
      assert.deepEqual(await active(), [one.account_id, two.account_id].sort());
    } finally {
      await server.close();
    }
  });

  describe('banks, which every shard-run lists', () => {
    let original: SandboxServer;
    let changed: SandboxServer;
    // every column of every bank, lineage included
    const banks = async () => (await db.warehouse.pool.query(`SELECT to_jsonb(b) AS row FROM raw.banks b ORDER BY bank_id`)).rows.map((r) => r.row);
    const load = (server: SandboxServer, extra: string[]) => startCli(['load', ...ARGS, '--obp-source', 'live', ...extra], { env: { DATABASE_URL: db.url, ...liveObpEnv(server) } });
    // long enough to be mid-stream while another run starts, waits and commits (it is stopped then)
    const BIG = ['--transactions-per-account', '1000000', '--shard', '1/2'];

    it('are loaded from one OBP, then OBP renames one and drops the other', async () => {
      original = await startObpServer({ data: manyBanks(2, 4) });
      const data = manyBanks(2, 4);
      data.banks[0]!.full_name = 'Bank number 1, renamed';
      changed = await startObpServer({ data, faults: { unlistedBanks: ['bank-02'] } });
      assertSucceeded(await load(original, []).done);
    });

    it('a shard-run interrupted after writing the changed banks leaves raw.banks exactly as before', async () => {
      const stored = await banks();
      const big = load(changed, BIG);
      await waitFor(() => copyInProgress(db.warehouse.pool), 120_000, 'shard 1/2 to stream its rows, its banks written');
      assert.deepEqual(await banks(), stored, 'not visible while it runs');
      big.child.kill('SIGINT');
      assert.equal((await big.done).code, 130);
      await runsEnded(db.warehouse.pool);
      assert.deepEqual(await banks(), stored);
    });

    it('a shard-run that must write banks waits for another writing them, and writes them when that one rolls back', async () => {
      const big = load(changed, BIG);
      await waitFor(() => copyInProgress(db.warehouse.pool), 120_000, 'shard 1/2 to stream its rows, its banks written');
      const other = load(changed, ['--shard', '2/2', '--json']);
      await waitFor(async () => (await waitingLoads(db.warehouse.pool)) === 1, 60_000, 'shard 2/2 to wait for the banks of 1/2');
      big.child.kill('SIGINT');
      assert.equal((await big.done).code, 130);
      const result = await other.done;
      assertSucceeded(result);
      assert.match(result.stderr, /another shard-run is writing OBP's new bank data; waiting for it to commit or roll back/);
      const loadId = JSON.parse(result.stdout).loadId;
      const [one, two] = await banks();
      assert.deepEqual([one.bank_name, one.load_id, one.last_seen_load_id, one.is_active], ['Bank number 1, renamed', loadId, loadId, true]);
      assert.equal(two.is_active, false, 'bank-02 vanished');
      await runsEnded(db.warehouse.pool);
    });

    it('shard-runs that find the banks as stored write none of them (so they never wait for each other there)', async () => {
      const stored = await banks();
      assertSucceeded(await load(changed, ['--shard', '1/2']).done);
      assert.deepEqual(await banks(), stored);
    });
    after(() => Promise.all([original?.close(), changed?.close()]));
  });
});
