/**
 * End-to-end load benchmark: `npm run bench [-- rows]` (default 2,000,000).
 *
 * 1. Runs the real loader (generate + COPY + keys and constraints + lineage validation + switch +
 *    commit) into an empty warehouse, for the 14 accounts of the bundled snapshot; then again with
 *    the same flags (a reload: every row replaced, the previous state switched out).
 * 2. Times COPY of the very same rows, pre-encoded to a file, into an UNLOGGED table with no
 *    constraints: the ceiling a loader could reach on this machine (what `psql \copy` does).
 *    Two ceilings: the same lines the loader sends, and full-width lines (every column on every
 *    row, as the issue's `psql \copy` baseline sent them).
 * Prints rows/s, the ratios and the peak RSS of the loader. Needs DATABASE_URL (it creates and
 * drops a database of its own there). `npm run bench -- --citus [rows]`: see citus.ts.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../src/config/config.js';
import { CopyLineEncoder, RUN_CONSTANT_COLUMNS, runConstantDefaults, TRANSACTION_COPY_COLUMNS } from '../src/load/copy-encoding.js';
import { accountSeeds } from '../src/load/account-seeds.js';
import { runLoad } from '../src/load/pipeline.js';
import { createLogger } from '../src/log/logger.js';
import { extract } from '../src/obp/extract.js';
import { generateTransactions, loadProfile } from '../src/synth/index.js';

// `-- --citus`: single-node PostgreSQL against a local Citus cluster, one and two loaders (citus.ts)
if (process.argv.includes('--citus')) {
  const { benchCitus } = await import('./citus.js');
  await benchCitus(Number(process.argv.filter((a) => a !== '--citus')[2] ?? 600_000));
  process.exit(0);
}

const targetRows = Number(process.argv[2] ?? 2_000_000);
const log = createLogger({ level: 'warn', format: 'json' });
const work = mkdtempSync(path.join(tmpdir(), 'hb-bench-'));
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('npm run bench needs DATABASE_URL: a PostgreSQL server where it may create (and drop) a database of its own.');
  process.exit(1);
}
const database = `hb_bench_${process.pid}`;

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
await admin.end();
const benchUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();

try {
  const perAccount = Math.ceil(targetRows / 14);
  const config = loadConfig({
    env: {},
    flags: { databaseUrl: benchUrl, transactionsPerAccount: perAccount, seed: 'bench', asOf: '2026-11-24' },
  });

  // 1. the real loader: a first load, then a reload of the same accounts
  const timedLoad = async () => {
    const started = process.hrtime.bigint();
    const summary = await runLoad({ config, log, signal: new AbortController().signal, progressBar: false });
    return { summary, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  };
  const first = await timedLoad();
  const reload = await timedLoad();
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  const summary = first.summary;
  const rows = summary.transactions.rows;

  // 2. the ceiling: the same rows, pre-encoded, copied into an UNLOGGED table with no constraints
  const extraction = await extract(config.obp, log);
  const seeds = accountSeeds(extraction);
  // Two encodings of the same rows: as the loader sends them (run constants as column defaults),
  // and full width, every column on every line, as `psql \copy` of the table would send them.
  const narrowFile = path.join(work, 'narrow.copy');
  const wideFile = path.join(work, 'wide.copy');
  const generatedAt = new Date();
  const wideSuffix = `\tSYNTHETIC\t${generatedAt.toISOString()}\t${summary.loadId}\n`;
  const narrow = createWriteStream(narrowFile);
  const wide = createWriteStream(wideFile);
  const encoder = new CopyLineEncoder();
  let narrowChunk = '';
  let wideChunk = '';
  const options = { seed: 'bench', asOf: '2026-11-24', days: config.synth.days, transactionsPerAccount: perAccount, fraudRate: config.synth.fraudRate, profile: loadProfile(undefined) };
  for (const row of generateTransactions(seeds, options)) {
    const line = encoder.encode(row);
    narrowChunk += line;
    wideChunk += line.slice(0, -1) + wideSuffix;
    if (wideChunk.length > 1 << 20) {
      if (!narrow.write(narrowChunk)) await once(narrow, 'drain');
      if (!wide.write(wideChunk)) await once(wide, 'drain');
      narrowChunk = wideChunk = '';
    }
  }
  narrow.end(narrowChunk);
  wide.end(wideChunk);
  await Promise.all([once(narrow, 'finish'), once(wide, 'finish')]);

  const client = new pg.Client({ connectionString: benchUrl });
  await client.connect();
  let narrowSeconds: number;
  let wideSeconds: number;
  try {
    const copySeconds = async (table: string, columns: readonly string[], file: string) => {
      const t0 = process.hrtime.bigint();
      await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
      return Number(process.hrtime.bigint() - t0) / 1e9;
    };
    await client.query(`CREATE UNLOGGED TABLE public.ceiling_narrow (LIKE raw.transactions)`);
    await client.query(runConstantDefaults('public.ceiling_narrow', { generatedAt, loadId: summary.loadId }).set);
    narrowSeconds = await copySeconds('public.ceiling_narrow', TRANSACTION_COPY_COLUMNS, narrowFile);
    await client.query(`CREATE UNLOGGED TABLE public.ceiling_wide (LIKE raw.transactions)`);
    wideSeconds = await copySeconds('public.ceiling_wide', [...TRANSACTION_COPY_COLUMNS, ...RUN_CONSTANT_COLUMNS], wideFile);
  } finally {
    await client.end();
  }

  const rate = (seconds: number) => Math.round(rows / seconds);
  const figures = (run: { summary: typeof summary; seconds: number }) => ({
    endToEndSeconds: Number(run.seconds.toFixed(2)),
    endToEndRowsPerSecond: rate(run.seconds),
    ratioToSameLines: Number((rate(run.seconds) / rate(narrowSeconds)).toFixed(2)),
    ratioToFullWidth: Number((rate(run.seconds) / rate(wideSeconds)).toFixed(2)),
    steps: run.summary.timings,
  });
  console.log(
    JSON.stringify(
      {
        rows,
        ceilingSameLinesRowsPerSecond: rate(narrowSeconds),
        ceilingFullWidthRowsPerSecond: rate(wideSeconds),
        firstLoad: figures(first),
        reload: { replacedRows: reload.summary.transactions.replacedRows, ...figures(reload) },
        peakRssMiB,
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  const cleanup = new pg.Client({ connectionString: serverUrl });
  await cleanup.connect();
  await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await cleanup.end();
}
