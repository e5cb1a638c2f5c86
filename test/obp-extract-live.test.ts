import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HybridbankError } from '../src/core/errors.js';
import { extract } from '../src/obp/extract.js';
import { readSandboxData, withEmptyBank, withNonAsciiNames, withUserSeeingAllAccounts } from '../src/obp/sandbox/data.js';
import { capturingLogger, silentLogger } from './helpers/logger.js';
import { CONSUMER_KEY, manyBanks, obpConfig, OWNER, startObpServer, SUSAN, type SandboxServer } from './helpers/obp-server.js';

describe('live extraction from an OBP-compatible server', () => {
  let server: SandboxServer;
  before(async () => (server = await startObpServer({ data: manyBanks(12, 3) })));
  after(() => server.close());

  it('takes exactly the first N banks in API order and all their accounts, as REAL_API', async () => {
    const { log, lines } = capturingLogger('info');
    const extraction = await extract(obpConfig(server, { banks: 5 }), log);
    assert.equal(extraction.dataSource, 'REAL_API');
    assert.equal(extraction.mode, 'live');
    assert.equal(extraction.origin, server.url);
    assert.deepEqual(extraction.banks.map((b) => b.bankId), ['bank-01', 'bank-02', 'bank-03', 'bank-04', 'bank-05']);
    assert.equal(extraction.accounts.length, 15);
    assert.deepEqual(new Set(extraction.accounts.map((a) => a.bankId)), new Set(extraction.banks.map((b) => b.bankId)));
    const account = extraction.accounts.find((a) => a.accountId === 'acc-2-2');
    assert.deepEqual(
      { currency: account?.currency, balance: account?.balance, type: account?.accountType, number: account?.accountNumber, iban: account?.iban },
      { currency: 'GBP', balance: '2001.01', type: 'BUSINESS CURRENT', number: '2002', iban: 'GB00 TEST 2 2' },
    );
    assert.equal(extraction.banks[0]?.bankName, 'Bank number 1');
    assert.deepEqual((extraction.banks[0]?.payload as { id: string }).id, 'bank-01');
    assert.ok(account?.extractedAt instanceof Date);
    assert.deepEqual(extraction.skippedBanks, []);
    const sourceLines = lines.filter((l) => l.includes('OBP source'));
    assert.equal(sourceLines.length, 1);
    assert.match(sourceLines[0]!, /"obpSource":"live".*"dataSource":"REAL_API"/);
  });

  it('logs in once and reuses the token for every request', async () => {
    const logins = server.logins;
    await extract(obpConfig(server, { banks: 3 }), silentLogger());
    assert.equal(server.logins, logins + 1);
  });

  it('keeps balances exactly as OBP sent them (strings, never floats)', async () => {
    const extraction = await extract(obpConfig(server, { bankIds: ['bank-01'] }), silentLogger());
    assert.deepEqual(extraction.accounts.map((a) => a.balance), ['1000.00', '1001.01', '1002.02']);
  });

  it('--bank-id takes exactly those banks and skips one that does not exist', async () => {
    const { log, lines } = capturingLogger('warn');
    const extraction = await extract(obpConfig(server, { bankIds: ['bank-07', 'no-such-bank', 'bank-02'] }), log);
    assert.deepEqual(extraction.banks.map((b) => b.bankId), ['bank-07', 'bank-02']);
    assert.equal(extraction.accounts.length, 6);
    assert.deepEqual(extraction.skippedBanks.map((s) => s.bankId), ['no-such-bank']);
    assert.match(extraction.skippedBanks[0]!.reason, /OBP-30001/);
    assert.ok(lines.some((l) => l.includes('no-such-bank')), 'a warning names the skipped bank');
  });

  it('--bank-id naming no bank OBP lists is an error that names it, not an empty load', async () => {
    await assert.rejects(extract(obpConfig(server, { bankIds: ['bank-0l'] }), silentLogger()), (error: unknown) => {
      assert.ok(error instanceof HybridbankError);
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.match(error.message, /--bank-id bank-0l: .* lists no such bank \(it lists \d+: bank-01, /);
      return true;
    });
  });

  it('bounds the requests in flight by the concurrency setting', async () => {
    const bounded = await startObpServer({ data: manyBanks(6, 4), faults: { slow: { times: Infinity, ms: 15 } } });
    try {
      await extract(obpConfig(bounded, { concurrency: 2 }), silentLogger());
      assert.equal(bounded.maxInFlight, 2);
    } finally {
      await bounded.close();
    }
  });
});

describe('live extraction: what the user can see', () => {
  it('a user of the sandbox data sees only their accounts; a bank without any is still returned', async () => {
    const server = await startObpServer({ data: readSandboxData() });
    try {
      const config = obpConfig(server, { credentials: { username: SUSAN.email, password: SUSAN.password, consumerKey: CONSUMER_KEY } });
      const extraction = await extract(config, silentLogger());
      assert.deepEqual(extraction.banks.map((b) => b.bankId), ['obp-bank-x-gh', 'obp-bank-y-gh']);
      assert.deepEqual(extraction.accounts.map((a) => [a.label, a.currency, a.balance]), [['Susan X.0.GH Current Plus ..898', 'GBP', '6599.63']]);
      assert.deepEqual(extraction.banksWithoutAccounts, ['obp-bank-y-gh']);
    } finally {
      await server.close();
    }
  });

  it('an added bank with no accounts is kept and reported', async () => {
    const server = await startObpServer({ data: withEmptyBank(withUserSeeingAllAccounts(readSandboxData(), OWNER)) });
    try {
      const extraction = await extract(obpConfig(server), silentLogger());
      assert.equal(extraction.banks.length, 3);
      assert.equal(extraction.accounts.length, 14);
      assert.deepEqual(extraction.banksWithoutAccounts, ['hybridbank-empty-bank']);
    } finally {
      await server.close();
    }
  });

  it('reads null labels, non-ASCII names and bare-array account lists', async () => {
    const server = await startObpServer({ data: withNonAsciiNames(withUserSeeingAllAccounts(readSandboxData(), OWNER)), faults: { bareAccountLists: true } });
    try {
      const named = await extract(obpConfig(server), silentLogger());
      assert.equal(named.banks[0]?.bankName, 'The Bank of X — Zürich Ünïcødé 銀行');
      assert.equal(named.accounts[0]?.label, 'Susan X.0.GH Current Plus ..898 · Zoë Øre 口座');
      assert.equal(named.accounts.length, 14, 'all accounts read from bare-array lists');
      server.faults.nullLabels = true;
      const hidden = await extract(obpConfig(server), silentLogger());
      assert.equal(hidden.accounts.length, 14);
      assert.ok(hidden.accounts.every((a) => a.label === null));
    } finally {
      await server.close();
    }
  });
});
