/**
 * `load --append` against a full load: `DATABASE_URL=postgres://... npm run bench:append [-- accounts]`
 * (default 3,000 accounts in 10 banks, served by the project's OBP-compatible server).
 *
 * 1. A full load (`auto`: each account's own rate over 90 days) into a fresh database.
 * 2. Appends of one day, of a week and of 30 days with OBP's balances unchanged (the sandbox's,
 *    the bundled snapshot's case: every day must end where it began).
 * 3. An append of a week after OBP's balances moved (a random walk per account), as live balances do.
 * 4. Last, full loads of the same accounts over 1, 7 and 30 days: each append's loader per row next
 *    to a full load of as many days (`perRowAgainstFullLoadOfSameWindow`). Both do the same
 *    per-run and per-account work (accounts, profiles, checks), which a 90-day full load spreads
 *    over 2.5 times the rows of a 30-day append and a one-day append over a 75th of them.
 * Every run starts from a settled warehouse (`settle`: vacuumed, analyzed, checkpointed, as a daily
 * run finds it) and reports the write-ahead log it wrote (`walMiB`, `walBytesPerRow`): unlike
 * seconds on a shared machine, the same from run to run.
 * Prints JSON: per run, rows and rows/s three ways: generate + COPY (the streaming step alone);
 * the loader's own work (every step but the OBP extraction, which is OBP's: a rate-limited API, one
 * request per bank and account); end to end. Then per-account figures, the transfers booked to
 * reach OBP's balances, and the appended rows' distributions next to the full load's last 28
 * days: rows per account-day (mean, share of quiet days), local hour of day, type mix, median
 * amount per type, and how far the type mix is from the full load's (total variation, in points:
 * the share of rows that would have to change type), with the floor any day-by-day balancing that
 * keeps the full load's own days must reach under static balances (each day with payments and no
 * credit needs one transfer in, each day with credits and no payment its surplus out in transfers
 * of at most the type's maximum). And the server's own share of the 30-day append: its rows COPYed
 * back in from memory, into a copy of the table as the append found it (primary key in place, as
 * the live partitions have it: what an append must do) and into a fresh table without keys (what
 * a full load's partitions get, their keys built once after).
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { loadConfig } from '../src/config/config.js';
import { runLoad } from '../src/load/pipeline.js';
import type { LoadSummary } from '../src/load/summary.js';
import { createLogger } from '../src/log/logger.js';
import type { SandboxData } from '../src/obp/sandbox/data.js';
import { startSandboxServer } from '../src/obp/sandbox/server.js';

const accountCount = Number(process.argv[2] ?? 3_000);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('npm run bench:append needs DATABASE_URL: a PostgreSQL server where it may create (and drop) a database of its own.');
  process.exit(1);
}
const database = `hb_bench_append_${process.pid}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
await admin.end();
const benchUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();

const owner = { email: 'bench@example.com', user_name: 'bench', password: 'Bench!secret-42' };
const TYPES = ['CURRENT', 'CURRENT PLUS', 'BUSINESS CURRENT', 'CURRENT', 'Red Mastercard', 'SAVINGS', 'CURRENT'];
const banks = Array.from({ length: 10 }, (_, i) => ({ id: `bench-bank-${i}`, short_name: `BB${i}`, full_name: `Bench bank ${i}`, logo: '', website: `https://bank${i}.example.com` }));
const balanceOf = (i: number) => ((i * 7919) % 600_000) - 20_000; // minor units, some overdrawn
const data: SandboxData = {
  banks,
  users: [owner],
  accounts: Array.from({ length: accountCount }, (_, i) => ({
    id: `acc-${i}`,
    bank: banks[i % banks.length]!.id,
    label: `Account ${i}`,
    number: String(100_000 + i),
    type: TYPES[i % TYPES.length]!,
    balance: { currency: ['EUR', 'GBP', 'USD'][i % 3]!, amount: (balanceOf(i) / 100).toFixed(2) },
    IBAN: `GB00 BENCH ${i}`,
    owners: [owner.user_name],
  })),
};
const consumerKey = 'bench-consumer-key';
const server = await startSandboxServer({ data, consumerKey });
const log = createLogger({ level: 'warn', format: 'json' });
const pool = new pg.Pool({ connectionString: benchUrl });

/**
 * Each run starts from a settled warehouse, as a daily run finds it: the last run's rows vacuumed
 * and analyzed (autovacuum would otherwise start on them during the next run, at random) and
 * checkpointed (each run's first change of a page writes its full image to the WAL).
 */
async function settle() {
  const { rows } = await pool.query<{ migrated: boolean }>(`SELECT to_regclass('raw.transactions') IS NOT NULL AS migrated`);
  if (!rows[0]!.migrated) return;
  await pool.query('VACUUM (ANALYZE) raw.transactions, raw.accounts, raw.account_profiles, raw.load_runs');
  // superusers and pg_checkpoint only: elsewhere the runs start from wherever the server's own checkpoints left them
  await pool.query('CHECKPOINT').catch((error: { code?: string }) => {
    if (error.code !== '42501') throw error;
  });
}

async function load(asOf: string, append: boolean, days = 90) {
  await settle();
  const config = loadConfig({
    env: { OBP_USERNAME: owner.email, OBP_PASSWORD: owner.password, OBP_CONSUMER_KEY: consumerKey },
    flags: { databaseUrl: benchUrl, obpSource: 'live', obpBaseUrl: server.url, banks: 10, transactionsPerAccount: 'auto', days, seed: 'bench', asOf, append },
  });
  const walAt = async () => (await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
  const walBefore = await walAt();
  const started = process.hrtime.bigint();
  const summary = await runLoad({ config, log, signal: new AbortController().signal, progressBar: false });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { rows } = await pool.query<{ bytes: string }>('SELECT pg_wal_lsn_diff($1, $2)::text AS bytes', [await walAt(), walBefore]);
  return { summary, seconds, walBytes: Number(rows[0]!.bytes) };
}

function figures(run: { summary: LoadSummary; seconds: number; walBytes: number }) {
  const rows = run.summary.transactions.rows;
  const steps = run.summary.timings;
  const stream = steps.generate_and_copy ?? 0;
  // everything the loader does but asking OBP (extraction is OBP's, per bank and account)
  const own = loaderSeconds(steps);
  const accounts = run.summary.accounts;
  return {
    rows,
    seconds: Number(run.seconds.toFixed(2)),
    rowsPerSecond: Math.round(rows / run.seconds),
    loaderRowsPerSecond: own > 0 ? Math.round(rows / own) : null,
    generateAndCopyRowsPerSecond: stream > 0 ? Math.round(rows / stream) : null,
    loaderSecondsWithoutExtract: Number(own.toFixed(3)),
    msPerAccount: { extract: Number((((steps.extract ?? 0) * 1000) / accounts).toFixed(3)), loader: Number(((own * 1000) / accounts).toFixed(3)) },
    balancingRows: run.summary.append?.balancingRows ?? 0,
    // the server's write-ahead log for the run: the rows, their keys, a page's full image at its first change after a checkpoint
    walMiB: Number((run.walBytes / 2 ** 20).toFixed(1)),
    walBytesPerRow: Math.round(run.walBytes / rows),
    steps,
  };
}

/** The distributions of some rows (`where` on raw.transactions t) over `days` UTC days from `from`, per account-day and in local time. */
async function distributions(where: string, from: string, days: number, baseline?: { types: Record<string, { share: number }> }) {
  const q = async <T extends pg.QueryResultRow>(sql: string) => (await pool.query<T>(sql)).rows;
  const [perDay] = await q<{ mean: number; quiet: number }>(`
    WITH counts AS (
      SELECT a.account_id, g.day, count(t.transaction_id) AS n
      FROM raw.accounts a
      CROSS JOIN generate_series(DATE '${from}', DATE '${from}' + ${days - 1}, interval '1 day') AS g (day)
      LEFT JOIN raw.transactions t
        ON t.bank_id = a.bank_id AND t.account_id = a.account_id AND (t.transaction_date AT TIME ZONE 'UTC')::date = g.day AND ${where}
      GROUP BY 1, 2
    )
    SELECT round(avg(n), 3)::float8 AS mean, round(avg((n = 0)::int), 3)::float8 AS quiet FROM counts`);
  const hours = await q<{ hour: number; share: number }>(`
    SELECT extract(hour FROM t.transaction_date AT TIME ZONE p.timezone)::int AS hour, round(count(*) / sum(count(*)) OVER (), 3)::float8 AS share
    FROM raw.transactions t JOIN raw.account_profiles p USING (bank_id, account_id)
    WHERE ${where} GROUP BY 1 ORDER BY 1`);
  const types = await q<{ type: string; share: number; median: number }>(`
    SELECT transaction_type AS type, round(count(*) / sum(count(*)) OVER (), 3)::float8 AS share,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(amount))::float8 AS median
    FROM raw.transactions t WHERE ${where} GROUP BY 1 ORDER BY 1`);
  const base = baseline?.types;
  const mixDistance = base
    ? Number((50 * [...new Set([...Object.keys(base), ...types.map((t) => t.type)])].reduce((sum, type) => sum + Math.abs((base[type]?.share ?? 0) - (types.find((t) => t.type === type)?.share ?? 0)), 0)).toFixed(1))
    : undefined;
  return {
    ...(mixDistance === undefined ? {} : { typeMixDistancePoints: mixDistance }),
    rowsPerAccountDay: perDay!.mean,
    quietAccountDays: perDay!.quiet,
    localHourShares: Object.fromEntries(hours.map((h) => [h.hour, h.share])),
    types: Object.fromEntries(types.map((t) => [t.type, { share: t.share, medianAmount: t.median }])),
  };
}

function withoutExtract(steps: LoadSummary['timings']): LoadSummary['timings'] {
  return Object.fromEntries(Object.entries(steps).filter(([step]) => step !== 'extract'));
}

/** The loader's own seconds (every step but the OBP extraction, which is OBP's). */
function loaderSeconds(steps: LoadSummary['timings']): number {
  return Object.entries(steps).reduce((sum, [step, seconds]) => (step === 'extract' ? sum : sum + seconds), 0);
}

/**
 * An append's loader per row next to a full load of the same accounts over as many days: the same
 * per-run and per-account work (accounts, profiles, checks), so what is left apart is per row.
 */
function against(append: { summary: LoadSummary; walBytes: number }, full: { summary: LoadSummary; walBytes: number }) {
  const perRow = (run: { summary: LoadSummary }) => (loaderSeconds(run.summary.timings) * 1e6) / run.summary.transactions.rows;
  const appendUs = perRow(append);
  const fullUs = perRow(full);
  return {
    appendRows: append.summary.transactions.rows,
    fullLoadRows: full.summary.transactions.rows,
    appendLoaderMicrosecondsPerRow: Number(appendUs.toFixed(2)),
    fullLoadLoaderMicrosecondsPerRow: Number(fullUs.toFixed(2)),
    ratio: Number((appendUs / fullUs).toFixed(2)),
    walBytesPerRow: { append: Math.round(append.walBytes / append.summary.transactions.rows), fullLoad: Math.round(full.walBytes / full.summary.transactions.rows) },
    // where the seconds went: per-run steps (accounts, profiles) vary by tenths of a second from run to run here
    steps: { append: withoutExtract(append.summary.timings), fullLoad: withoutExtract(full.summary.timings) },
  };
}

/** Seconds of the server's COPY of one run's rows (`loadId`) into a keyed copy of the rows `before` left, and into a fresh table. */
async function serverCopy(loadId: string, before: readonly string[]) {
  const client = new pg.Client({ connectionString: benchUrl });
  await client.connect();
  try {
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk), done()) });
    await pipeline(client.query(copyTo(`COPY (SELECT * FROM raw.transactions WHERE load_id = '${loadId}') TO STDOUT (FORMAT binary)`)), sink);
    const copySeconds = async (table: string, options: string) => {
      const started = process.hrtime.bigint();
      await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} FROM STDIN (FORMAT binary${options})`)));
      return Number((Number(process.hrtime.bigint() - started) / 1e9).toFixed(3));
    };
    await client.query(`CREATE TABLE public.append_keyed (LIKE raw.transactions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await client.query(`INSERT INTO public.append_keyed SELECT * FROM raw.transactions WHERE load_id = ANY ($1::uuid[])`, [before]);
    await client.query(`ALTER TABLE public.append_keyed ADD PRIMARY KEY (transaction_id)`);
    await client.query(`VACUUM ANALYZE public.append_keyed`);
    const intoKeyedTable = await copySeconds('public.append_keyed', '');
    await client.query('BEGIN');
    await client.query(`CREATE TABLE public.append_fresh (LIKE raw.transactions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    const intoFreshTable = await copySeconds('public.append_fresh', ', FREEZE');
    await client.query('COMMIT');
    return { intoKeyedTableSeconds: intoKeyedTable, intoFreshTableSeconds: intoFreshTable };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.query('DROP TABLE IF EXISTS public.append_keyed, public.append_fresh');
    await client.end();
  }
}

/**
 * The floor under static balances: the full load's last 28 days as they are, plus the fewest
 * transfers that would make each of its account-days net to zero (a day with both credits and
 * payments counted as absorbable): the closest to the full load's type mix that balancing its own
 * days can get.
 */
async function staticFloor(where: string) {
  const { rows } = await pool.query<{ type: string; share: number }>(`
    WITH days AS (
      SELECT bank_id, account_id, (transaction_date AT TIME ZONE 'UTC')::date AS day, sum(amount) AS net,
             bool_or(amount > 0) AS credits, bool_or(amount < 0) AS payments
      FROM raw.transactions t WHERE ${where} GROUP BY 1, 2, 3
    ), added AS (
      SELECT 'Incoming Transfer' AS type, count(*) AS n FROM days WHERE net < 0 AND NOT credits
      UNION ALL
      SELECT 'Online Transfer', coalesce(sum(ceil(net / 500)), 0) FROM days WHERE net > 0 AND NOT payments
      UNION ALL
      SELECT transaction_type, count(*) FROM raw.transactions t WHERE ${where} GROUP BY 1
    )
    SELECT type, round(sum(n) / sum(sum(n)) OVER (), 3)::float8 AS share FROM added GROUP BY 1 ORDER BY 1`);
  return Object.fromEntries(rows.map((r) => [r.type, { share: r.share }]));
}

try {
  const full = await load('2026-10-01', false);
  const oneDay = await load('2026-10-02', true);
  const week = await load('2026-10-09', true);
  const month = await load('2026-11-08', true);
  // OBP's balances move, as live ones do: a walk of a few hundred a week per account
  server.faults.balances = Object.fromEntries(data.accounts.map((a, i) => [a.id, ((balanceOf(i) + (((i * 104_729) % 120_001) - 60_000)) / 100).toFixed(2)]));
  const moved = await load('2026-11-15', true);
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  // after the peak is read: it holds the append's rows in memory
  const monthServerCopy = await serverCopy(month.summary.loadId, [full, oneDay, week].map((run) => run.summary.loadId));
  const last28 = `t.load_id = '${full.summary.loadId}' AND t.transaction_date >= '2026-09-03T00:00:00Z'`;
  const fullLast28Days = await distributions(last28, '2026-09-03', 28);
  const floorTypes = await staticFloor(last28);
  const floorDistance = Number((50 * Object.keys({ ...floorTypes, ...fullLast28Days.types }).reduce((sum, type) => sum + Math.abs((floorTypes[type]?.share ?? 0) - (fullLast28Days.types[type]?.share ?? 0)), 0)).toFixed(1));
  const appendedWeek = await distributions(`t.load_id = '${week.summary.loadId}'`, '2026-10-02', 7, fullLast28Days);
  const appended30Days = await distributions(`t.load_id = '${month.summary.loadId}'`, '2026-10-09', 30, fullLast28Days);
  const appendedWeekMoved = await distributions(`t.load_id = '${moved.summary.loadId}'`, '2026-11-08', 7, fullLast28Days);
  // last: each replaces every row the appends wrote
  const sameWindow = {
    oneDay: against(oneDay, await load('2026-11-15', false, 1)),
    week: against(week, await load('2026-11-15', false, 7)),
    '30Days': against(month, await load('2026-11-15', false, 30)),
  };
  console.log(
    JSON.stringify(
      {
        accounts: accountCount,
        fullLoad: figures(full),
        appendOneDay: figures(oneDay),
        appendWeekStaticBalances: figures(week),
        append30DaysStaticBalances: { ...figures(month), serverCopy: monthServerCopy },
        appendWeekMovedBalances: figures(moved),
        peakRssMiB,
        distributions: {
          fullLoadLast28Days: fullLast28Days,
          staticBalanceFloor: { typeMixDistancePoints: floorDistance, types: floorTypes },
          appendedWeekStaticBalances: appendedWeek,
          appended30DaysStaticBalances: appended30Days,
          appendedWeekMovedBalances: appendedWeekMoved,
        },
        perRowAgainstFullLoadOfSameWindow: sameWindow,
      },
      null,
      2,
    ),
  );
} finally {
  await pool.end();
  await server.close();
  const cleanup = new pg.Client({ connectionString: serverUrl });
  await cleanup.connect();
  await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await cleanup.end();
}
