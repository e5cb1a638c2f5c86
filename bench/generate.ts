/**
 * Generation throughput without I/O: `npm run bench:generate [-- rows [perAccount]]`.
 * Prints rows/s and the peak resident memory, which must stay flat whatever the volume.
 *
 * Two figures: `rowsPerSecond` is the stream of rows once the run's name pools exist;
 * `setupSeconds` is building those pools (faker names for every region of the profile, once per
 * run, whatever the volume), and `overallRowsPerSecond` counts both, as a run of this size sees it.
 *
 * `npm run bench:generate -- --append [days [accounts]]` (default 30 days of 3,000 accounts):
 * appended days (`load --append`, planned day by day) against a full history of as many days, the
 * same accounts, one after the other in rounds, each figure the median of its rounds.
 */
import { continueHistories, describeAccounts, epochDayOf, generateTransactions, isoDay, loadProfile, sampleAccounts, type GenerateOptions } from '../src/synth/index.js';
import { poolsFor } from '../src/synth/pools.js';

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const profile = loadProfile(undefined);

if (process.argv[2] === '--append') appendBench(Number(process.argv[3] ?? 30), Number(process.argv[4] ?? 3_000));
else fullBench(Number(process.argv[2] ?? 1_000_000), Number(process.argv[3] ?? 100));

function fullBench(rows: number, perAccount: number): void {
  const accounts = sampleAccounts(Math.ceil(rows / perAccount));
  const options = { seed: 'bench', asOf: '2026-11-24', days: 90, transactionsPerAccount: perAccount, fraudRate: 0.005, profile };
  const setupStarted = process.hrtime.bigint();
  // the generator builds a region's pools when its first account needs them; built here first, they are cached for the run
  for (let region = 0; region < profile.regions.length; region++) poolsFor(profile, options.seed, region);
  const setupSeconds = seconds(setupStarted);

  let peakRss = process.memoryUsage().rss;
  let count = 0;
  let fraud = 0;
  let checksum = 0;
  const started = process.hrtime.bigint();
  for (const row of generateTransactions(accounts, options)) {
    count++;
    if (row.isFraud) fraud++;
    checksum = (((checksum + row.amountMinor) % 1_000_000_007) + 1_000_000_007) % 1_000_000_007;
    if ((count & 0xffff) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const streamSeconds = seconds(started);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(
    JSON.stringify({
      rows: count,
      accounts: accounts.length,
      seconds: Number(streamSeconds.toFixed(3)),
      rowsPerSecond: Math.round(count / streamSeconds),
      setupSeconds: Number(setupSeconds.toFixed(3)),
      overallRowsPerSecond: Math.round(count / (setupSeconds + streamSeconds)),
      peakRssMiB: Math.round(peakRss / 2 ** 20),
      fraudShare: Number((fraud / count).toFixed(5)),
      checksum,
    }),
  );
}

function appendBench(days: number, accountCount: number): void {
  const accounts = sampleAccounts(accountCount).map((a) => ({ ...a, balanceMinor: null }));
  const options = (asOf: string, window = 90): GenerateOptions => ({ seed: 'bench', asOf, days: window, transactionsPerAccount: 'auto', fraudRate: 0.005, profile });
  const historyEnd = '2026-09-01';
  const asOf = isoDay(epochDayOf(historyEnd) + days);
  for (let region = 0; region < profile.regions.length; region++) poolsFor(profile, 'bench', region);
  const profiles = [...describeAccounts(accounts, options(historyEnd))];
  const continued = accounts.map((seed, i) => ({ seed, profile: profiles[i]!, historyEndDay: epochDayOf(historyEnd), appendsFromDay: epochDayOf(historyEnd) }));
  // microseconds a row of one pass over a stream
  const pass = (rows: Iterable<{ amountMinor: number }>) => {
    let count = 0;
    let checksum = 0;
    const started = process.hrtime.bigint();
    for (const row of rows) {
      count++;
      checksum = (checksum + row.amountMinor) | 0;
    }
    return { count, us: (seconds(started) * 1e6) / count, checksum };
  };
  const appended: number[] = [];
  const full: number[] = [];
  let rows = { appended: 0, full: 0 };
  // the first rounds warm the code up; both kinds alternate so that the machine's moods fall on both
  for (let round = 0; round < 12; round++) {
    const a = pass(continueHistories(continued, options(asOf)));
    const f = pass(generateTransactions(accounts, options(asOf, days)));
    if (round < 2) continue;
    appended.push(a.us);
    full.push(f.us);
    rows = { appended: a.count, full: f.count };
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  console.log(
    JSON.stringify({
      accounts: accountCount,
      days,
      rows,
      appendedMicrosecondsPerRow: Number(median(appended).toFixed(3)),
      fullHistoryMicrosecondsPerRow: Number(median(full).toFixed(3)),
      ratio: Number((median(appended) / median(full)).toFixed(2)),
      rounds: appended.length,
    }),
  );
}
