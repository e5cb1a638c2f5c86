/**
 * End-to-end load benchmark: `npm run bench [-- rows]` (default 2,000,000).
 *
 * 1. Runs the real loader (generate + COPY + keys and constraints + lineage validation + commit)
 *    into an empty warehouse, for the 14 accounts of the bundled snapshot.
 * 2. Times COPY of the very same rows, pre-encoded to a file, into an UNLOGGED table with no
 *    constraints: the ceiling a loader could reach on this machine (what `psql \copy` does).
 * Prints rows/s of both, their ratio and the peak RSS of the loader. Uses DATABASE_URL's server
 * (a fresh database) or the embedded warehouse in a temp directory.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../src/config/config.js';
import { CopyLineEncoder, runConstantDefaults, TRANSACTION_COPY_COLUMNS } from '../src/load/copy-encoding.js';
import { runLoad } from '../src/load/pipeline.js';
import { createLogger } from '../src/log/logger.js';
import { extract } from '../src/obp/extract.js';
import { generateTransactions, loadProfile } from '../src/synth/index.js';
import type { AccountSeed } from '../src/synth/types.js';
import { parseMinorUnits } from '../src/core/money.js';

const targetRows = Number(process.argv[2] ?? 2_000_000);
const log = createLogger({ level: 'warn', pretty: false });
const work = mkdtempSync(path.join(tmpdir(), 'hb-bench-'));
const serverUrl = process.env.DATABASE_URL;
const database = `hb_bench_${process.pid}`;

if (serverUrl) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
}
const benchUrl = serverUrl ? Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString() : undefined;

try {
  const perAccount = Math.ceil(targetRows / 14);
  const config = loadConfig({
    env: {},
    flags: { databaseUrl: benchUrl, transactionsPerAccount: perAccount, seed: 'bench', asOf: '2026-11-24' },
  });
  if (!benchUrl) config.warehouse = { ...config.warehouse, dir: path.join(work, 'warehouse'), port: 54_399 };

  // 1. the real loader
  const started = process.hrtime.bigint();
  const summary = await runLoad({ config, log, signal: new AbortController().signal, progressBar: false });
  const loadSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  const rows = summary.transactions.rows;

  // 2. the ceiling: the same rows, pre-encoded, copied into an UNLOGGED table with no constraints
  const extraction = await extract(config.obp, log);
  const seeds: AccountSeed[] = extraction.accounts.map((a) => ({
    bankId: a.bankId, accountId: a.accountId, currency: a.currency, balanceMinor: a.balance === null ? null : parseMinorUnits(a.balance), accountType: a.accountType, label: a.label,
  }));
  const file = path.join(work, 'rows.copy');
  const out = createWriteStream(file);
  const profile = loadProfile(undefined);
  const encoder = new CopyLineEncoder();
  let chunk = '';
  for (const row of generateTransactions(seeds, { seed: 'bench', asOf: '2026-11-24', days: config.synth.days, transactionsPerAccount: perAccount, fraudRate: config.synth.fraudRate, profile })) {
    chunk += encoder.encode(row);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');

  const url = benchUrl ?? config.warehouse.url;
  const client = new pg.Client({ connectionString: url ?? `postgres://postgres:hb-embedded-local@127.0.0.1:54399/hybridbank` });
  let ceilingSeconds = 0;
  if (!url) throw new Error('the ceiling needs a server; run with DATABASE_URL set');
  await client.connect();
  try {
    await client.query(`CREATE UNLOGGED TABLE public.bench_ceiling (LIKE raw.transactions)`);
    // the same run constants as the loader, sent the same way
    await client.query(runConstantDefaults('public.bench_ceiling', { generatedAt: new Date(), loadId: summary.loadId }).set);
    const t0 = process.hrtime.bigint();
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(`COPY public.bench_ceiling (${TRANSACTION_COPY_COLUMNS.join(', ')}) FROM STDIN`)));
    ceilingSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    await client.end();
  }

  const endToEnd = rows / loadSeconds;
  const ceiling = rows / ceilingSeconds;
  console.log(
    JSON.stringify(
      {
        rows,
        endToEndSeconds: Number(loadSeconds.toFixed(2)),
        endToEndRowsPerSecond: Math.round(endToEnd),
        steps: summary.timings,
        unloggedCopySeconds: Number(ceilingSeconds.toFixed(2)),
        unloggedCopyRowsPerSecond: Math.round(ceiling),
        ratio: Number((endToEnd / ceiling).toFixed(2)),
        peakRssMiB,
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  if (serverUrl) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}
