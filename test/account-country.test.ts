import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bankCountry, bicCountry, ibanCountry } from '../src/obp/country.js';
import type { SandboxData } from '../src/obp/sandbox/data.js';
import { generateTransactions, loadProfile, sampleAccounts, type AccountProfile } from '../src/synth/index.js';
import type { AccountSeed } from '../src/synth/types.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { liveObpEnv, OWNER, startObpServer, type SandboxServer } from './helpers/obp-server.js';

// Where an account lives: what OBP says (IBAN > bank BIC > bank attribute), else its currency.

const OPTIONS = { seed: '11', asOf: '2026-10-31', days: 60, transactionsPerAccount: 'auto' as const, fraudRate: 0.005, profile: loadProfile(undefined) };

function profilesOf(seeds: AccountSeed[]): Map<string, AccountProfile> {
  const out = new Map<string, AccountProfile>();
  for (const _ of generateTransactions(seeds, { ...OPTIONS, transactionsPerAccount: 5 }, (p) => out.set(p.accountId, p)));
  return out;
}

const FR_IBAN = 'FR76 3000 6000 0112 3456 7890 189';
const DE_IBAN = 'DE89370400440532013000';
// OBP's sandbox example data: Bosnian-looking, but the check digits are wrong
const PLACEHOLDER_IBAN = 'BA12 1234 5123 4518 4490 1189 877';

describe('the country of an account', () => {
  it('reads an IBAN only when it is one: country, check digits, length and the mod-97 check', () => {
    assert.equal(ibanCountry(FR_IBAN), 'FR');
    assert.equal(ibanCountry(DE_IBAN.toLowerCase()), 'DE');
    assert.equal(ibanCountry(PLACEHOLDER_IBAN), null, 'fails the mod-97 check');
    assert.equal(ibanCountry('GB00 TEST 1 1'), null);
    assert.equal(ibanCountry(''), null);
  });

  it('reads a BIC (letters 5-6) and a country attribute, and ignores codes ISO 3166 does not assign', () => {
    assert.equal(bicCountry('DEUTDEFF'), 'DE');
    assert.equal(bicCountry('bnpa fr pp xxx'), 'FR');
    assert.equal(bicCountry('BNPAUKPP'), null, 'UK is reserved, not assigned: GB is');
    assert.equal(bicCountry('DEUTDEF'), null, 'seven characters');
    assert.equal(bankCountry([{ scheme: 'OBP', address: 'bank-1' }, { scheme: 'SWIFT_BIC', address: 'BSCHESMM' }], []), 'ES');
    assert.equal(bankCountry([], [{ name: 'country_code', value: ' it ' }]), 'IT');
    assert.equal(bankCountry([], [{ name: 'Country', value: 'France' }, { name: 'COUNTRY-CODE', value: 'NL' }]), 'NL', 'a name is not a code; the next attribute is read');
    assert.equal(bankCountry([{ scheme: 'BIC', address: 'DEUTDEFF' }], [{ name: 'COUNTRY', value: 'IT' }]), 'DE', 'the BIC before an attribute');
    assert.equal(bankCountry([{ scheme: 'BIC', address: 'XXXXXXXX' }], [{ name: 'COUNTRY', value: 'XK' }]), null);
  });

  it('places accounts without a hint by their currency alone: no hint, a null hint and hinted neighbours give the same rows and profiles', () => {
    // a merchant's descriptions are filled as rows use them (pools.ts): not the profile's content
    const withoutCaches = (key: string, value: unknown) => (key === 'descriptions' ? undefined : value);
    const digest = (seeds: AccountSeed[], of: (accountId: string) => boolean) => {
      const hash = createHash('sha256');
      for (const row of generateTransactions(seeds, OPTIONS, (p) => of(p.accountId) && hash.update(JSON.stringify(p, withoutCaches)))) if (of(row.accountId)) hash.update(JSON.stringify(row));
      return hash.digest('hex');
    };
    const bare = sampleAccounts(40).map((s) => ({ ...s, country: undefined }));
    const isBare = new Set(bare.map((s) => s.accountId));
    const expected = digest(bare, () => true);
    assert.equal(digest(bare.map((s) => ({ ...s, country: null })), () => true), expected, 'a null hint is no hint');
    const neighbours = bare.map((s) => ({ ...s, accountId: `${s.accountId}-in-fr`, country: 'FR' }));
    assert.equal(digest([...neighbours, ...bare], (id) => isBare.has(id)), expected, 'hinted accounts beside them change none of their rows');
    assert.notEqual(digest(neighbours, () => true), expected);
  });

  it("places an account in its country's region, even against its currency; a country without a region falls back to the currency", () => {
    const seed = (accountId: string, currency: string, country?: string | null): AccountSeed => ({ bankId: 'b', accountId, currency, balanceMinor: 10_000, accountType: 'CURRENT', label: null, country });
    const seeds = Array.from({ length: 12 }, (_, i) => [
      seed(`eur-fr-${i}`, 'EUR', 'FR'),
      seed(`usd-fr-${i}`, 'USD', 'FR'),
      seed(`eur-ch-${i}`, 'EUR', 'CH'),
      seed(`eur-ch-${i}-none`, 'EUR'),
      seed(`gbp-us-${i}`, 'GBP', 'US'),
    ]).flat();
    // the same account ids without a hint: what the currency alone gives
    const hinted = profilesOf(seeds);
    const bare = profilesOf(seeds.map((s) => ({ ...s, country: undefined })));
    for (let i = 0; i < 12; i++) {
      assert.deepEqual([hinted.get(`eur-fr-${i}`)!.country, hinted.get(`eur-fr-${i}`)!.timezone], ['FR', 'Europe/Paris']);
      assert.deepEqual([hinted.get(`usd-fr-${i}`)!.country, hinted.get(`usd-fr-${i}`)!.timezone, hinted.get(`usd-fr-${i}`)!.currency], ['FR', 'Europe/Paris', 'USD']);
      assert.equal(hinted.get(`gbp-us-${i}`)!.country, 'US');
      assert.match(hinted.get(`gbp-us-${i}`)!.timezone, /^America\//);
      const ch = hinted.get(`eur-ch-${i}`)!;
      assert.deepEqual([ch.country, ch.timezone], [bare.get(`eur-ch-${i}`)!.country, bare.get(`eur-ch-${i}`)!.timezone], 'no CH region: the currency decides');
    }
    assert.ok(new Set(seeds.filter((s) => s.country === 'CH').map((s) => bare.get(s.accountId)!.country)).size > 1, 'EUR alone spreads over the euro regions');
  });
});

/** Four banks as OBP would serve them: the account's IBAN, a BIC, a country attribute, nothing. */
function hintedBanks(): SandboxData {
  const bank = (id: string, extra: Partial<SandboxData['banks'][number]> = {}) => ({ id, short_name: id, full_name: `Bank ${id}`, logo: '', website: 'https://www.example.com', ...extra });
  const account = (bankId: string, id: string, currency: string, iban: string) => ({
    id, bank: bankId, label: id, number: id, type: 'CURRENT', balance: { currency, amount: '1500.00' }, IBAN: iban, owners: [OWNER.user_name],
  });
  return {
    banks: [
      bank('euro-bank'),
      bank('bic-bank', { bank_routings: [{ scheme: 'BIC', address: 'DEUTDEFFXXX' }] }),
      bank('attribute-bank', { attributes: [{ name: 'COUNTRY_CODE', value: 'ES' }] }),
      bank('plain-bank'),
    ],
    users: [OWNER],
    accounts: [
      account('euro-bank', 'iban-fr', 'EUR', FR_IBAN),
      account('bic-bank', 'bic-eur', 'EUR', PLACEHOLDER_IBAN),
      account('bic-bank', 'bic-usd', 'USD', PLACEHOLDER_IBAN),
      account('bic-bank', 'bic-but-iban-fr', 'EUR', FR_IBAN),
      account('attribute-bank', 'attribute-eur', 'EUR', 'not an iban'),
      account('plain-bank', 'plain-gbp', 'GBP', PLACEHOLDER_IBAN),
    ],
  };
}

const EXPECTED = [
  { account_id: 'attribute-eur', country: 'ES', timezone: 'Europe/Madrid' },
  { account_id: 'bic-but-iban-fr', country: 'FR', timezone: 'Europe/Paris' },
  { account_id: 'bic-eur', country: 'DE', timezone: 'Europe/Berlin' },
  { account_id: 'bic-usd', country: 'DE', timezone: 'Europe/Berlin' },
  { account_id: 'iban-fr', country: 'FR', timezone: 'Europe/Paris' },
  { account_id: 'plain-gbp', country: 'GB', timezone: 'Europe/London' },
];

describe('the country of an account, loaded over HTTP from an OBP-compatible server', () => {
  let db: TestDatabase;
  let server: SandboxServer;
  let dir: string;
  before(async () => {
    db = await createTestDatabase();
    server = await startObpServer({ data: hintedBanks() });
    dir = mkdtempSync(path.join(tmpdir(), 'hb-country-'));
  });
  after(async () => {
    await server.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const profiles = async () =>
    (await db.warehouse.pool.query(`SELECT account_id, country, timezone FROM raw.account_profiles ORDER BY account_id`)).rows;

  it("records each account's country and time zone from its IBAN, its bank's BIC or attribute, else its currency", async () => {
    const result = await runCli(['load', '--obp-source', 'live', '--seed', '3', '--as-of', '2026-10-31', '--transactions-per-account', '30'], { env: { DATABASE_URL: db.url, ...liveObpEnv(server) } });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await profiles(), EXPECTED);
    const { rows } = await db.warehouse.pool.query(`
      SELECT count(*) FILTER (WHERE t.is_weekend <> (extract(isodow FROM t.transaction_date AT TIME ZONE p.timezone) IN (6, 7)))::int AS wrong
      FROM raw.transactions t JOIN raw.account_profiles p USING (bank_id, account_id)`);
    assert.equal(rows[0].wrong, 0, 'weekends are local to the country OBP gave');
  });

  it('gives the same countries from a recorded snapshot of that server', async () => {
    const snapshot = path.join(dir, 'obp.json');
    const recorded = await runCli(['obp-record', '--out', snapshot], { env: { DATABASE_URL: db.url, ...liveObpEnv(server) } });
    assert.equal(recorded.code, 0, recorded.stderr);
    await db.warehouse.pool.query(`UPDATE raw.account_profiles SET country = 'XX', timezone = 'UTC'`);
    const result = await runCli(['load', '--obp-source', 'snapshot', '--snapshot', snapshot, '--seed', '3', '--as-of', '2026-10-31', '--transactions-per-account', '30'], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await profiles(), EXPECTED);
  });
});
