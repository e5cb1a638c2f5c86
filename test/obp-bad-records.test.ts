import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { HybridbankError } from '../src/core/errors.js';
import { extract } from '../src/obp/extract.js';
import { normaliseBalance, normaliseCurrency, storableText } from '../src/obp/normalise.js';
import { NO_FAULTS } from '../src/obp/sandbox/server.js';
import { silentLogger } from './helpers/logger.js';
import { manyBanks, obpConfig, startObpServer, type SandboxServer } from './helpers/obp-server.js';

describe('normalisation rules', () => {
  it('keeps plain decimals as exact 2-decimal amounts and refuses everything else with a reason', () => {
    for (const [given, kept] of [['6599.63', '6599.63'], ['-12', '-12.00'], ['+3.5', '3.50'], ['1.500', '1.50'], ['0', '0.00']] as const) {
      assert.deepEqual(normaliseBalance(given), { ok: true, value: kept }, given);
    }
    assert.deepEqual(normaliseBalance(null), { ok: true, value: null });
    for (const bad of ['12,50', '1e400', 'NaN', 'Infinity', '', '1.005', '90071992547409.93', '99999999999999999.00']) {
      const result = normaliseBalance(bad);
      assert.equal(result.ok, false, bad);
      if (!result.ok) assert.match(result.reason, /^balance ".*" (is not an exact amount|is beyond numeric\(18,2\))/, bad);
    }
  });

  it('upper-cases ISO 4217 codes, maps € and £, refuses the rest', () => {
    assert.deepEqual(normaliseCurrency(' eur '), { ok: true, value: 'EUR' });
    assert.deepEqual(normaliseCurrency('€'), { ok: true, value: 'EUR' });
    assert.deepEqual(normaliseCurrency('£'), { ok: true, value: 'GBP' });
    assert.deepEqual(normaliseCurrency(null), { ok: true, value: null });
    for (const bad of ['', 'EURO', 'XYZ', '$']) assert.equal(normaliseCurrency(bad).ok, false, bad);
  });

  it('replaces NUL and lone surrogates, keeps paired surrogates', () => {
    assert.equal(storableText('a\u0000b\ud800c\udc00d'), 'a\ufffdb\ufffdc\ufffdd');
    assert.equal(storableText('口座 😀'), '口座 😀');
  });
});

describe('bad OBP records are set aside, the rest is extracted', () => {
  let server: SandboxServer;
  before(async () => (server = await startObpServer({ data: manyBanks(3, 4) })));
  after(() => server.close());
  beforeEach(() => {
    server.faults = structuredClone(NO_FAULTS);
  });

  it('a balance that is not an exact amount sets its account aside; a loose currency is normalised', async () => {
    server.faults.balances = { 'acc-1-1': '12,50', 'acc-1-2': '1e400', 'acc-2-1': 'NaN', 'acc-2-2': '1.005', 'acc-3-1': '90071992547409.93' };
    server.faults.currencies = { 'acc-1-3': 'eur', 'acc-1-4': '€', 'acc-3-2': '', 'acc-3-3': 'EURO' };
    const extraction = await extract(obpConfig(server), silentLogger());
    const aside = Object.fromEntries(extraction.setAside.map((r) => [r.accountId, r.reason]));
    assert.deepEqual(Object.keys(aside).sort(), ['acc-1-1', 'acc-1-2', 'acc-2-1', 'acc-2-2', 'acc-3-1', 'acc-3-2', 'acc-3-3']);
    assert.match(aside['acc-1-1']!, /balance "12,50" is not an exact amount/);
    assert.match(aside['acc-3-2']!, /currency "" is not an ISO 4217 code/);
    assert.ok(extraction.setAside.every((r) => r.kind === 'account' && r.bankId.startsWith('bank-')));
    assert.equal(extraction.accounts.length, 12 - 7);
    const currencies = Object.fromEntries(extraction.accounts.map((a) => [a.accountId, a.currency]));
    assert.equal(currencies['acc-1-3'], 'EUR');
    assert.equal(currencies['acc-1-4'], 'EUR');
  });

  it('a bank listed twice and an account listed twice load once; each repeat is set aside', async () => {
    server.faults.duplicateBank = true;
    server.faults.duplicateAccount = true;
    const extraction = await extract(obpConfig(server), silentLogger());
    assert.deepEqual(extraction.banks.map((b) => b.bankId), ['bank-01', 'bank-02', 'bank-03']);
    assert.equal(extraction.accounts.length, 12);
    assert.deepEqual(
      extraction.setAside.map((r) => `${r.kind} ${r.bankId} ${r.accountId}`).sort(),
      ['account bank-01 acc-1-1', 'account bank-02 acc-2-1', 'account bank-03 acc-3-1', 'bank bank-01 null'],
    );
    assert.ok(extraction.setAside.every((r) => /listed more than once/.test(r.reason)));
  });

  it('NUL and lone surrogates in labels are replaced; the payload stays storable', async () => {
    server.faults.labels = { 'acc-1-1': 'nul\u0000here', 'acc-1-2': 'lone\ud800surrogate' };
    const extraction = await extract(obpConfig(server), silentLogger());
    const labels = Object.fromEntries(extraction.accounts.map((a) => [a.accountId, a.label]));
    assert.equal(labels['acc-1-1'], 'nul\ufffdhere');
    assert.equal(labels['acc-1-2'], 'lone\ufffdsurrogate');
    assert.doesNotMatch(JSON.stringify(extraction.accounts.map((a) => a.payload)), /\\u0000|\\ud800/);
    assert.deepEqual(extraction.setAside, []);
  });

  it('an account whose detail answers 404 is skipped with a reason naming OBP-30018', async () => {
    server.faults.goneAccounts = ['acc-2-3'];
    const extraction = await extract(obpConfig(server), silentLogger());
    assert.equal(extraction.accounts.length, 11);
    assert.deepEqual(extraction.setAside.map((r) => [r.bankId, r.accountId]), [['bank-02', 'acc-2-3']]);
    assert.match(extraction.setAside[0]!.reason, /404: OBP-30018/);
  });

  it('an answer over the size limit fails with a clear error before it is read whole', async () => {
    server.faults.banksAnswerBytes = 3 << 20;
    const error = await extract(obpConfig(server, { maxResponseBytes: 1 << 20 }), silentLogger()).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof HybridbankError);
    assert.match(error.message, /answer to GET \/obp\/v5\.1\.0\/banks is larger than 1 MB/);
    assert.match(error.hint ?? '', /OBP_MAX_RESPONSE_MB/);
  });
});

describe('ids go into URLs percent-encoded', () => {
  let server: SandboxServer;
  before(async () => {
    const data = manyBanks(1, 3);
    const ids = ['.', '..', 'a/b?c'];
    data.accounts = data.accounts.map((a, i) => ({ ...a, id: ids[i]! }));
    server = await startObpServer({ data });
  });
  after(() => server.close());

  it('requests ".", ".." and "a/b?c" literally, not another endpoint', async () => {
    const extraction = await extract(obpConfig(server), silentLogger());
    assert.deepEqual(extraction.accounts.map((a) => a.accountId).sort(), ['.', '..', 'a/b?c']);
    assert.deepEqual(extraction.setAside, []);
    for (const id of ['%2E', '%2E%2E', 'a%2Fb%3Fc']) {
      assert.ok(server.requests.includes(`GET /obp/v5.1.0/my/banks/bank-01/accounts/${id}/account`), id);
    }
  });
});
