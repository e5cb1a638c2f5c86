import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { HybridbankError } from '../src/core/errors.js';
import { extract } from '../src/obp/extract.js';
import { recordSnapshot } from '../src/obp/record.js';
import { BUNDLED_SNAPSHOT } from '../src/obp/snapshot.js';
import { capturingLogger, silentLogger } from './helpers/logger.js';
import { CONSUMER_KEY, FAST_BACKOFF, manyBanks, obpConfig, OWNER, startObpServer } from './helpers/obp-server.js';
import { scratchDir } from './helpers/scratch.js';

const offline = obpConfig({ url: 'http://127.0.0.1:9' }, { credentials: undefined });
const tempFile = (name: string) => path.join(scratchDir('hb-obp-'), name);
/** everything but the source fields, which differ between a live run and its replay by design */
const content = ({ banks, accounts, skippedBanks, banksWithoutAccounts, apiVersion }: Awaited<ReturnType<typeof extract>>) => ({
  banks,
  accounts,
  skippedBanks,
  banksWithoutAccounts,
  apiVersion,
});

describe('OBP snapshots', () => {
  it('auto with no credentials replays the bundled snapshot: both sandbox banks, all 14 accounts, as OBP_SNAPSHOT', async () => {
    const { log, lines } = capturingLogger('info');
    const extraction = await extract(offline, log);
    assert.equal(extraction.dataSource, 'OBP_SNAPSHOT');
    assert.equal(extraction.mode, 'snapshot');
    assert.equal(extraction.origin, BUNDLED_SNAPSHOT);
    assert.deepEqual(extraction.banks.map((b) => b.bankId), ['obp-bank-x-gh', 'obp-bank-y-gh']);
    assert.equal(extraction.accounts.length, 14);
    assert.ok(extraction.accounts.every((a) => a.currency === 'GBP' && /^\d+\.\d\d$/.test(a.balance ?? '') && a.iban && a.accountNumber && a.label && a.accountType));
    const anil = extraction.accounts.find((a) => a.bankId === 'obp-bank-x-gh' && a.accountId === '213527de-c423-452a-b2f8-8475e4cc2cfe');
    assert.deepEqual([anil?.label, anil?.accountType, anil?.balance], ['Anil X.0.GH Business Current ..015', 'BUSINESS CURRENT', '15860.50']);
    const source = lines.filter((l) => l.includes('OBP source'));
    assert.equal(source.length, 1);
    assert.match(source[0]!, /"dataSource":"OBP_SNAPSHOT".*snapshot .*obp-snapshot\.json.*auto: no OBP credentials set/);
  });

  it('--banks and --bank-id select within the snapshot too', async () => {
    const first = await extract({ ...offline, banks: 1 }, silentLogger());
    assert.deepEqual(first.banks.map((b) => b.bankId), ['obp-bank-x-gh']);
    assert.equal(first.accounts.length, 7);
    const chosen = await extract({ ...offline, bankIds: ['obp-bank-y-gh'] }, silentLogger());
    assert.deepEqual(chosen.accounts.map((a) => a.bankId), Array(7).fill('obp-bank-y-gh'));
  });

  it('record then replay (offline, server gone) gives identical banks, accounts, payloads and times', async () => {
    const server = await startObpServer({ data: manyBanks(4, 2), faults: { goneBanks: ['bank-03'], expireToken: 1, unavailable: 1 } });
    const file = tempFile('recorded.json');
    const config = obpConfig(server);
    let live;
    try {
      live = (await recordSnapshot(config, silentLogger(), file, { backoff: FAST_BACKOFF })).extraction;
    } finally {
      await server.close();
    }
    assert.deepEqual(live.skippedBanks.map((s) => s.bankId), ['bank-03']);
    const replay = await extract({ ...config, source: 'snapshot', snapshotPath: file }, silentLogger());
    assert.equal(replay.dataSource, 'OBP_SNAPSHOT');
    assert.deepEqual(content(replay), content(live));

    const text = readFileSync(file, 'utf8');
    for (const secret of [OWNER.password, CONSUMER_KEY, ...server.tokens]) assert.ok(!text.includes(secret), 'no secret in the snapshot');
    assert.doesNotMatch(text, /logins\/direct/);
  });

  it('asking a snapshot for a bank it never recorded says so and how to fix it', async () => {
    const server = await startObpServer({ data: manyBanks(3, 1) });
    const file = tempFile('two-banks.json');
    try {
      await recordSnapshot(obpConfig(server, { banks: 2 }), silentLogger(), file);
    } finally {
      await server.close();
    }
    const error = await extract({ ...offline, snapshotPath: file, banks: 3 }, silentLogger()).catch((e: unknown) => e);
    assert.ok(error instanceof HybridbankError);
    assert.equal(error.code, 'OBP_SNAPSHOT');
    assert.match(error.message, /holds no recorded response for GET \/obp\/v5\.1\.0\/banks\/bank-03\/accounts\/private/);
    assert.match(error.hint ?? '', /obp:record/);
  });

  it('a missing snapshot file is a clear error', async () => {
    const error = await extract({ ...offline, source: 'snapshot', snapshotPath: '/nonexistent/snap.json' }, silentLogger()).catch((e: unknown) => e);
    assert.ok(error instanceof HybridbankError);
    assert.equal(error.code, 'OBP_SNAPSHOT');
    assert.match(error.message, /\/nonexistent\/snap\.json does not exist/);
  });

  it('recording without credentials refuses instead of recording a replay', async () => {
    await assert.rejects(recordSnapshot(offline, silentLogger(), tempFile('x.json')), /needs the live OBP API/);
  });
});
