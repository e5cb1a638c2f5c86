import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAccount, generateTransactions, loadProfile, MCC_CATEGORIES, sampleAccounts, type GenerateOptions, type SyntheticTransaction } from '../src/synth/index.js';

const profile = loadProfile(undefined);
const options: GenerateOptions = { seed: 'realism', asOf: '2026-03-31', days: 120, transactionsPerAccount: 150, fraudRate: 0, profile };
const accounts = sampleAccounts(800);
const rows = [...generateTransactions(accounts, options)];
const byAccount = new Map<string, SyntheticTransaction[]>();
for (const r of rows) {
  if (!byAccount.has(r.accountId)) byAccount.set(r.accountId, []);
  byAccount.get(r.accountId)!.push(r);
}
const persona = new Map(accounts.map((a) => [a.accountId, describeAccount(a, options).persona]));
const DAY = 86_400_000;
const utc = (ms: number) => new Date(ms);
const share = (items: SyntheticTransaction[], test: (r: SyntheticTransaction) => boolean) => items.filter(test).length / items.length;

describe('synthetic transactions look like real banking', () => {
  it('gives every account a persona that sets its income', () => {
    const names = new Set(persona.values());
    assert.deepEqual([...names].sort(), ['retiree', 'salaried', 'small_business', 'student']);
    const monthlySalary = (p: string) => {
      const salaries = rows.filter((r) => r.transactionType === 'Salary Deposit' && persona.get(r.accountId) === p).map((r) => r.amountMinor);
      return salaries.reduce((a, b) => a + b, 0) / salaries.length;
    };
    assert.ok(monthlySalary('salaried') > monthlySalary('student') * 1.3, 'salaried people earn more than students');
    const pensions = new Set(profile.personas.find((p) => p.name === 'retiree')!.incomeSources);
    for (const r of rows.filter((x) => x.transactionType === 'Salary Deposit' && persona.get(x.accountId) === 'retiree')) assert.ok(pensions.has(r.counterparty!), r.counterparty!);
    assert.ok(!rows.some((r) => r.transactionType === 'Salary Deposit' && persona.get(r.accountId) === 'small_business'), 'businesses draw no salary');
  });

  it('pays salaries monthly, on a fixed day moved back to Friday on weekends, from one employer, same amount', () => {
    let checked = 0;
    for (const [id, history] of byAccount) {
      const salaries = history.filter((r) => r.transactionType === 'Salary Deposit');
      if (salaries.length === 0) continue;
      checked++;
      assert.ok(salaries.length >= 3 && salaries.length <= 5, `${id}: ${salaries.length} salaries in 120 days`);
      assert.equal(new Set(salaries.map((r) => r.counterparty)).size, 1, id);
      assert.equal(new Set(salaries.map((r) => r.amountMinor)).size, 1, id);
      // the due days each booking can stand for: its own day, or the weekend after a Friday
      const dueDays = salaries.map((r) => {
        const d = utc(r.timestampMs);
        assert.ok(d.getUTCDay() >= 1 && d.getUTCDay() <= 5, `${r.transactionId} is booked on a business day`);
        const days = [d.getUTCDate()];
        if (d.getUTCDay() === 5) days.push(utc(r.timestampMs + DAY).getUTCDate(), utc(r.timestampMs + 2 * DAY).getUTCDate());
        return new Set(days);
      });
      assert.ok([...dueDays[0]!].some((day) => dueDays.every((s) => s.has(day))), `${id}: salary days ${salaries.map((r) => utc(r.timestampMs).toISOString().slice(0, 10))}`);
    }
    assert.ok(checked > 400);
  });

  it('collects direct debits monthly for the same amount and bills monthly for similar amounts', () => {
    let series = 0;
    for (const history of byAccount.values()) {
      for (const type of ['Direct Debit', 'Bill Payment']) {
        const byPayee = new Map<string, number[]>();
        for (const r of history.filter((x) => x.transactionType === type)) byPayee.set(r.merchant!, [...(byPayee.get(r.merchant!) ?? []), r.amountMinor]);
        for (const [payee, amounts] of byPayee) {
          series++;
          assert.ok(amounts.length >= 3, `${type} to ${payee} recurs monthly (${amounts.length} in 120 days)`);
          const ratio = Math.min(...amounts) / Math.max(...amounts);
          if (type === 'Direct Debit') assert.equal(ratio, 1, `${payee} direct debits are equal`);
          else assert.ok(ratio > 0.75, `${payee} bills are similar: ${amounts}`);
        }
      }
    }
    assert.ok(series > 1000);
  });

  it('follows the clock and the week: shops by day, branches in office hours, busier Saturdays', () => {
    const pos = rows.filter((r) => r.channel === 'POS');
    const hour = (r: SyntheticTransaction) => utc(r.timestampMs).getUTCHours();
    assert.ok(share(pos, (r) => hour(r) >= 2 && hour(r) <= 4) < 0.01, 'few card purchases at 2-4 am');
    assert.ok(share(pos, (r) => hour(r) >= 11 && hour(r) <= 19) > 0.6, 'most card purchases 11:00-19:59');
    const branch = rows.filter((r) => r.channel === 'BRANCH');
    assert.ok(branch.length > 100);
    for (const r of branch) assert.ok(hour(r) >= 9 && hour(r) < 17 && utc(r.timestampMs).getUTCDay() !== 0, `${r.transactionId} outside opening hours`);
    const perWeekday = (d: number) => pos.filter((r) => utc(r.timestampMs).getUTCDay() === d).length;
    assert.ok(perWeekday(6) > perWeekday(1) * 1.4, 'Saturday shopping beats Monday');
  });

  it('draws amounts from skewed per-category distributions, not uniformly within the bounds', () => {
    const pos = rows.filter((r) => r.transactionType === 'POS Purchase').map((r) => -r.amountMinor).sort((a, b) => a - b);
    const median = pos[Math.floor(pos.length / 2)]!;
    const mean = pos.reduce((a, b) => a + b, 0) / pos.length;
    assert.ok(mean > median * 1.15, `right-skewed: mean ${mean} median ${median}`);
    assert.ok(median < 6_000, `a typical purchase is small (uniform 5-500 would give 252.50), got ${median}`);
    const medianOf = (mcc: string) => {
      const xs = rows.filter((r) => r.merchantCategory === mcc && r.transactionType === 'POS Purchase').map((r) => -r.amountMinor).sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)]!;
    };
    assert.ok(medianOf('5411') > medianOf('5814') * 2, 'a grocery shop costs more than a coffee');
    const atm = rows.filter((r) => r.transactionType === 'ATM Withdrawal');
    assert.ok(atm.every((r) => r.amountMinor % 1000 === 0), 'ATMs pay out round amounts');
  });

  it('names merchants with real ISO 18245 codes, one code per merchant, and valid channels', () => {
    const mccOf = new Map<string, string>();
    for (const r of rows) {
      assert.ok(['POS', 'ATM', 'ONLINE', 'TRANSFER', 'BRANCH'].includes(r.channel));
      assert.ok(r.merchantCategory === null || (/^\d{4}$/.test(r.merchantCategory) && r.merchantCategory in MCC_CATEGORIES), String(r.merchantCategory));
      if (r.merchant === null) continue;
      assert.equal(mccOf.get(r.merchant) ?? r.merchantCategory, r.merchantCategory, r.merchant);
      mccOf.set(r.merchant, r.merchantCategory!);
    }
    assert.equal(MCC_CATEGORIES['5411'], 'Grocery Stores, Supermarkets');
    assert.ok(rows.filter((r) => r.transactionType === 'ATM Withdrawal').every((r) => r.merchantCategory === '6011' && r.channel === 'ATM'));
    assert.ok(new Set(rows.map((r) => r.merchantCategory)).size >= 20);
  });

  it("books every row in the account's currency, with a stable fallback when OBP gave none", () => {
    for (const a of accounts) {
      const currencies = new Set(byAccount.get(a.accountId)!.map((r) => r.currency));
      assert.equal(currencies.size, 1);
      const [currency] = currencies;
      if (a.currency) assert.equal(currency, a.currency);
      else {
        assert.ok(profile.fallbackCurrencies.includes(currency!));
        assert.equal(describeAccount(a, { ...options, seed: 'another seed' }).currency, currency, 'the fallback belongs to the account, not the seed');
      }
    }
  });

  it('keeps dates inside the window, flags weekends, and writes the original descriptions', () => {
    const first = Date.parse('2026-03-31T00:00:00Z') - 119 * DAY;
    const end = Date.parse('2026-04-01T00:00:00Z');
    for (const r of rows) {
      assert.ok(r.timestampMs >= first && r.timestampMs < end, r.transactionId);
      assert.equal(r.isWeekend, [0, 6].includes(utc(r.timestampMs).getUTCDay()), r.transactionId);
      if (r.transactionType === 'POS Purchase') assert.equal(r.description, `POS Purchase at ${r.merchant}`);
      if (r.transactionType === 'Salary Deposit') assert.equal(r.description, `Salary Deposit from ${r.counterparty}`);
    }
    assert.deepEqual(new Set(rows.map((r) => r.transactionType)), new Set(profile.transactionTypes.map((t) => t.name)));
  });
});
