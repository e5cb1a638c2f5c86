/**
 * Generation throughput without I/O: `npm run bench:generate [-- rows [perAccount]]`.
 * Prints rows/s and the peak resident memory, which must stay flat whatever the volume.
 *
 * Two figures: `rowsPerSecond` is the stream of rows once the run's name pools exist;
 * `setupSeconds` is building those pools (faker names for every region of the profile, once per
 * run, whatever the volume), and `overallRowsPerSecond` counts both, as a run of this size sees it.
 */
import { generateTransactions, loadProfile, sampleAccounts } from '../src/synth/index.js';
import { poolsFor } from '../src/synth/pools.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const perAccount = Number(process.argv[3] ?? 100);
const accounts = sampleAccounts(Math.ceil(rows / perAccount));
const profile = loadProfile(undefined);
const options = { seed: 'bench', asOf: '2026-11-24', days: 90, transactionsPerAccount: perAccount, fraudRate: 0.005, profile };

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
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
