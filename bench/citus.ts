/**
 * `npm run bench -- --citus [rows]` (default 600,000): rows/s of loads on one PostgreSQL and on a
 * local Citus cluster (a coordinator and two workers on this machine, from ../shared/citus), each
 * with one loader, then with two sharded loaders (`--shard 1/2` and `2/2`, two processes) at once.
 * Every figure is a fresh warehouse's first load of the 14 snapshot accounts, timed end to end
 * (process start to exit; the rows over the wall time of the slowest loader). Needs DATABASE_URL
 * (it creates and drops a database of its own there) and a built dist/ (`npm run build`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { citusSkipReason, startCitusCluster } from '../test/helpers/citus.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

interface Figure {
  loaders: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

function load(url: string, perAccount: number, shard?: string): Promise<number> {
  const args = [CLI, 'load', '--transactions-per-account', String(perAccount), '--seed', 'bench', '--as-of', '2026-11-24', '--json', ...(shard ? ['--shard', shard] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=4', '--max-old-space-size=128', ...args], { env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out).transactions.rows as number) : reject(new Error(`load ${shard ?? ''} exited ${code}: ${err.slice(-2000)}`))));
  });
}

async function timed(url: string, perAccount: number, loaders: number): Promise<Figure> {
  const started = process.hrtime.bigint();
  const counts = await Promise.all(loaders === 1 ? [load(url, perAccount)] : Array.from({ length: loaders }, (_, i) => load(url, perAccount, `${i + 1}/${loaders}`)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rows = counts.reduce((a, b) => a + b, 0);
  return { loaders, rows, seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round(rows / seconds) };
}

/** A fresh database on `serverUrl` for each measurement, dropped after. */
async function withDatabase<T>(serverUrl: string, name: string, work: (url: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    return await work(Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

export async function benchCitus(targetRows: number): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('npm run bench -- --citus needs DATABASE_URL: the single-node PostgreSQL to compare with (it creates and drops a database there).');
  if (!existsSync(CLI)) throw new Error('npm run bench -- --citus runs the built CLI: run npm run build first.');
  const why = citusSkipReason();
  if (why) throw new Error(`cannot start a local Citus cluster: ${why}`);
  const perAccount = Math.ceil(targetRows / 14);

  const single = [];
  for (const loaders of [1, 2]) single.push(await withDatabase(serverUrl, `hb_bench_citus_${process.pid}_${loaders}`, (url) => timed(url, perAccount, loaders)));

  const citus = [];
  for (const loaders of [1, 2]) {
    // a fresh cluster each: the Citus load distributes raw.transactions on its first migrate
    const cluster = await startCitusCluster();
    try {
      citus.push(await timed(cluster.url, perAccount, loaders));
    } finally {
      await cluster.stop();
    }
  }
  console.log(JSON.stringify({ rowsPerRun: single[0]!.rows, singleNode: single, citus: { nodes: 'coordinator + 2 workers, one machine', runs: citus } }, null, 2));
}
