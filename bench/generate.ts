/**
 * Generation throughput without I/O: `npm run bench:generate [-- rows [perAccount]]`.
 * Prints rows/s and the peak resident memory, which must stay flat whatever the volume.
 */
import { generateTransactions, loadProfile, sampleAccounts } from '../src/synth/index.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const perAccount = Number(process.argv[3] ?? 100);
const accounts = sampleAccounts(Math.ceil(rows / perAccount));
const options = { seed: 'bench', asOf: '2026-11-24', days: 90, transactionsPerAccount: perAccount, fraudRate: 0.005, profile: loadProfile(undefined) };

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
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
peakRss = Math.max(peakRss, process.memoryUsage().rss);
console.log(
  JSON.stringify({
    rows: count,
    accounts: accounts.length,
    seconds: Number(seconds.toFixed(3)),
    rowsPerSecond: Math.round(count / seconds),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    fraudShare: Number((fraud / count).toFixed(5)),
    checksum,
  }),
);
