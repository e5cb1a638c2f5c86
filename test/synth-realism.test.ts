import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeAccounts, generateTransactions, loadProfile, MCC_CATEGORIES, sampleAccounts,
  type AccountProfile, type GenerateOptions, type SyntheticTransaction,
} from '../src/synth/index.js';

const profile = loadProfile(undefined);
const options: GenerateOptions = { seed: 'realism', asOf: '2026-04-01', days: 120, transactionsPerAccount: 150, fraudRate: 0, profile };
const accounts = sampleAccounts(800);
const rows = [...generateTransactions(accounts, options)];
const byAccount = new Map<string, SyntheticTransaction[]>();
for (const r of rows) {
  if (!byAccount.has(r.accountId)) byAccount.set(r.accountId, []);
  byAccount.get(r.accountId)!.push(r);
}
const about = new Map<string, AccountProfile>([...describeAccounts(accounts, options)].map((d) => [d.accountId, d]));
const persona = (r: SyntheticTransaction) => about.get(r.accountId)!.persona;
const DAY = 86_400_000;
const share = (items: SyntheticTransaction[], test: (r: SyntheticTransaction) => boolean) => items.filter(test).length / items.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** local calendar fields of a row in its account's time zone */
const formats = new Map<string, Intl.DateTimeFormat>();
function local(r: SyntheticTransaction): { hour: number; weekday: number; day: number; date: string } {
  const timeZone = about.get(r.accountId)!.timezone;
  let f = formats.get(timeZone);
  if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: 'numeric', weekday: 'short' })));
  const p = Object.fromEntries(f.formatToParts(new Date(r.timestampMs)).map((x) => [x.type, x.value]));
  return { hour: Number(p.hour), weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday!), day: Number(p.day), date: `${p.year}-${p.month}-${p.day}` };
}

describe('synthetic transactions look like real banking', () => {
  it('gives every account a persona that fits its account type and sets its income', () => {
    const kinds = new Set([...about.values()].map((d) => `${d.accountType}:${d.persona}`));
    for (const k of ['current:salaried', 'current:student', 'current:retiree', 'business:small_business', 'savings:salaried', 'credit_card:salaried']) assert.ok(kinds.has(k), k);
    assert.ok(![...about.values()].some((d) => d.accountType === 'business' && d.persona !== 'small_business'));
    const monthlySalary = (p: string) => median(rows.filter((r) => r.transactionType === 'Salary Deposit' && persona(r) === p).map((r) => r.amountMinor));
    assert.ok(monthlySalary('salaried') > monthlySalary('student') * 1.3, 'salaried people earn more than students');
    const pensions = new Set(Object.values(profile.personas.find((p) => p.name === 'retiree')!.incomeSources).flat());
    for (const r of rows.filter((x) => x.transactionType === 'Salary Deposit' && persona(x) === 'retiree')) assert.ok(pensions.has(r.counterparty!), r.counterparty!);
    assert.ok(!rows.some((r) => r.transactionType === 'Salary Deposit' && persona(r) === 'small_business'), 'businesses draw no salary');
  });

  it('pays salaries monthly on a fixed local day (moved back to Friday on weekends), from one employer, spread between people', () => {
    let checked = 0;
    for (const [id, history] of byAccount) {
      const salaries = history.filter((r) => r.transactionType === 'Salary Deposit');
      if (salaries.length === 0) continue;
      checked++;
      assert.ok(salaries.length >= 3 && salaries.length <= 5, `${id}: ${salaries.length} salaries in 120 days`);
      assert.equal(new Set(salaries.map((r) => r.counterparty)).size, 1, id);
      const amounts = salaries.map((r) => r.amountMinor);
      // the same amount every month, or one pay rise
      assert.ok(new Set(amounts).size <= 2 && amounts.every((a, i) => i === 0 || a >= amounts[i - 1]!), `${id}: ${amounts}`);
      const dueDays = salaries.map((r) => {
        const d = local(r);
        assert.ok(d.weekday >= 1 && d.weekday <= 5, `${r.transactionId} is booked on a local business day`);
        const days = [d.day];
        if (d.weekday === 5) days.push(local({ ...r, timestampMs: r.timestampMs + DAY }).day, local({ ...r, timestampMs: r.timestampMs + 2 * DAY }).day);
        return new Set(days);
      });
      assert.ok([...dueDays[0]!].some((day) => dueDays.every((s) => s.has(day))), `${id}: salary days ${salaries.map((r) => local(r).date)}`);
    }
    assert.ok(checked > 250, `${checked}`);
    const salaries = rows.filter((r) => r.transactionType === 'Salary Deposit');
    assert.ok(share(salaries, (r) => r.amountMinor === 50_000) < 0.03, 'fewer than 3 % of salaries at exactly 500.00');
    assert.ok(new Set(salaries.map((r) => r.amountMinor)).size > salaries.length / 5, 'incomes differ between people');
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
    assert.ok(series > 800, `${series}`);
  });

  it("follows the account's local clock and week: shops by day, branches in office hours, busier Saturdays, local weekends", () => {
    const pos = rows.filter((r) => r.channel === 'POS');
    const hours = pos.map((r) => local(r).hour);
    assert.ok(hours.filter((h) => h < 6).length / hours.length < 0.05, 'few card-present purchases 00:00-05:59 local');
    assert.ok(hours.filter((h) => h >= 11 && h <= 19).length / hours.length > 0.55, 'most card purchases 11:00-19:59 local');
    const branch = rows.filter((r) => r.channel === 'BRANCH');
    assert.ok(branch.length > 100);
    for (const r of branch) {
      const d = local(r);
      assert.ok(d.hour >= 9 && d.hour < 17 && d.weekday !== 0, `${r.transactionId} outside opening hours (${d.date} ${d.hour}h)`);
    }
    const perWeekday = (w: number) => pos.filter((r) => local(r).weekday === w).length;
    assert.ok(perWeekday(6) > perWeekday(1) * 1.4, 'Saturday shopping beats Monday');
    for (const r of rows.slice(0, 30_000)) assert.equal(r.isWeekend, [0, 6].includes(local(r).weekday), r.transactionId);
  });

  it('draws amounts from per-category distributions without piling onto single values', () => {
    const pos = rows.filter((r) => r.transactionType === 'POS Purchase').map((r) => -r.amountMinor);
    const mean = pos.reduce((a, b) => a + b, 0) / pos.length;
    assert.ok(mean > median(pos) * 1.15, `right-skewed: mean ${mean} median ${median(pos)}`);
    for (const c of profile.merchantCategories.filter((x) => x.use === 'purchase' && x.weight >= 2)) {
      const xs = rows.filter((r) => r.merchantCategory === c.mcc && r.amountMinor < 0).map((r) => -r.amountMinor);
      const m = median(xs) / 100;
      assert.ok(Math.abs(m / c.medianAmount - 1) <= 0.2, `${c.mcc}: median ${m} against the profile's ${c.medianAmount}`);
    }
    for (const type of profile.transactionTypes) {
      if (['atm', 'direct_debit', 'interest'].includes(type.kind)) continue; // round notes and fixed contracts, on purpose
      const xs = rows.filter((r) => r.transactionType === type.name);
      const counts = new Map<number, number>();
      for (const r of xs) counts.set(r.amountMinor, (counts.get(r.amountMinor) ?? 0) + 1);
      const [value, top] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
      assert.ok(top / xs.length <= 0.015, `${type.name}: ${top} of ${xs.length} rows at ${value / 100}`);
    }
    assert.ok(rows.filter((r) => r.transactionType === 'ATM Withdrawal').every((r) => r.amountMinor % 1000 === 0), 'ATMs pay out round amounts');
  });

  it('books refunds after a purchase at the same merchant, for at most its amount, for 1-3 % of purchases', () => {
    const refunds = rows.filter((r) => r.transactionType === 'Refund');
    const purchases = rows.filter((r) => r.transactionType === 'POS Purchase' || r.transactionType === 'Online Purchase');
    const rate = refunds.length / purchases.length;
    assert.ok(rate >= 0.01 && rate <= 0.03, `refund rate ${rate}`);
    const followed = refunds.filter((f) =>
      byAccount.get(f.accountId)!.some((p) => p.merchant === f.merchant && p.amountMinor < 0 && -p.amountMinor >= f.amountMinor && p.timestampMs < f.timestampMs && p.channel === f.channel),
    );
    assert.ok(followed.length / refunds.length >= 0.9, `${followed.length} of ${refunds.length} refunds follow a purchase`);
    // a refund due after the window is not in it: none piled up on its last second, its last week as busy as the weeks before
    const end = Date.parse(`${options.asOf}T00:00:00Z`);
    const lastSecond = refunds.filter((r) => r.timestampMs === end - 1000).length;
    assert.ok(lastSecond <= 1, `${lastSecond} refunds at the window's last second`);
    const weekOf = (weeksBack: number) => refunds.filter((r) => r.timestampMs >= end - (weeksBack + 1) * 7 * DAY && r.timestampMs < end - weeksBack * 7 * DAY).length;
    const before = (weekOf(4) + weekOf(5) + weekOf(6) + weekOf(7)) / 4;
    assert.ok(weekOf(0) < before * 1.4, `${weekOf(0)} refunds in the window's last week, ${before} a week before it`);
  });

  it('lets the account type drive behaviour: savings move money only, cards buy and get repaid, businesses take cash', () => {
    const typesOf = (kind: string) => new Set([...about.values()].filter((d) => d.accountType === kind).flatMap((d) => byAccount.get(d.accountId)!.map((r) => r.transactionType)));
    assert.deepEqual([...typesOf('savings')].sort(), ['Incoming Transfer', 'Interest Payment', 'Online Transfer']);
    assert.deepEqual([...typesOf('credit_card')].sort(), ['Card Repayment', 'Online Purchase', 'POS Purchase', 'Refund']);
    const business = typesOf('business');
    for (const t of ['Cash Deposit', 'Incoming Transfer', 'Online Transfer', 'POS Purchase']) assert.ok(business.has(t), t);
    const cash = (p: string) => share(rows.filter((r) => persona(r) === p && about.get(r.accountId)!.accountType !== 'savings'), (r) => r.transactionType === 'Cash Deposit');
    assert.ok(cash('small_business') > 10 * cash('salaried'), 'cash deposits are common for businesses, rare for the salaried');
    const savings = [...about.values()].filter((d) => d.accountType === 'savings' && !(accounts.find((a) => a.accountId === d.accountId)!.balanceMinor! < 0));
    assert.ok(savings.filter((d) => d.overdraftLimitMinor === 0).length / savings.length > 0.75, 'savings have no overdraft (but some emptied ones whose last rows were deposits)');
  });

  it('names merchants with real ISO 18245 codes, one code per merchant, with channels that agree with them', () => {
    const mccOf = new Map<string, string>();
    for (const r of rows) {
      assert.ok(r.merchantCategory === null || r.merchantCategory in MCC_CATEGORIES, String(r.merchantCategory));
      if (r.transactionType === 'POS Purchase') assert.equal(r.channel, 'POS', r.transactionId);
      if (r.transactionType === 'Online Purchase') assert.equal(r.channel, 'ONLINE', r.transactionId);
      if (r.merchant === null) continue;
      assert.equal(mccOf.get(r.merchant) ?? r.merchantCategory, r.merchantCategory, r.merchant);
      mccOf.set(r.merchant, r.merchantCategory!);
    }
    const onlineOnly = new Set(profile.merchantCategories.flatMap((c) => Object.values(c.onlineBrands).flat()));
    assert.ok(!rows.some((r) => r.channel === 'POS' && onlineOnly.has(r.merchant!)), 'no online-only brand card-present');
    assert.ok(rows.filter((r) => r.transactionType === 'ATM Withdrawal').every((r) => r.merchantCategory === '6011' && r.channel === 'ATM'));
  });

  it("takes merchants, billers and time zones from the account's country", () => {
    const gbOnly = new Set(profile.merchantCategories.flatMap((c) => c.brands.GB ?? []));
    const usOnly = new Set(profile.merchantCategories.flatMap((c) => c.brands.US ?? []));
    for (const r of rows) {
      const d = about.get(r.accountId)!;
      if (d.currency === 'USD') assert.ok(!gbOnly.has(r.merchant!), `${r.merchant} in a USD account`);
      if (d.currency === 'GBP') assert.ok(!usOnly.has(r.merchant!), `${r.merchant} in a GBP account`);
    }
    for (const d of about.values()) {
      const zone = { GBP: /^Europe\/London$/, USD: /^America\//, EUR: /^Europe\// }[d.currency]!;
      assert.match(d.timezone, zone, d.accountId);
    }
    assert.ok(!rows.some((r) => about.get(r.accountId)!.currency === 'USD' && r.merchant === 'HMRC'));
  });

  it("books every row in the account's currency, with a stable fallback when OBP gave none", () => {
    for (const a of accounts) {
      const currencies = new Set(byAccount.get(a.accountId)!.map((r) => r.currency));
      assert.equal(currencies.size, 1);
      const [currency] = currencies;
      if (a.currency) assert.equal(currency, a.currency);
      else assert.ok(profile.fallbackCurrencies.includes(currency!));
    }
  });

  it('keeps dates inside the window before the as-of day and writes the original descriptions', () => {
    const first = Date.parse('2026-04-01T00:00:00Z') - 120 * DAY;
    const end = Date.parse('2026-04-01T00:00:00Z');
    for (const r of rows) {
      assert.ok(r.timestampMs >= first && r.timestampMs < end, r.transactionId);
      if (r.transactionType === 'POS Purchase') assert.equal(r.description, `POS Purchase at ${r.merchant}`);
      if (r.transactionType === 'Salary Deposit') assert.equal(r.description, `Salary Deposit from ${r.counterparty}`);
    }
    for (const t of ['ATM Withdrawal', 'POS Purchase', 'Online Transfer', 'Direct Debit', 'Bill Payment', 'Salary Deposit', 'Refund', 'Cash Deposit']) {
      assert.ok(rows.some((r) => r.transactionType === t), `the seed's type ${t} is generated`);
    }
  });
});

describe('activity follows persona and window (--transactions-per-account auto)', () => {
  const year: GenerateOptions = { ...options, days: 365, transactionsPerAccount: 'auto' };
  const some = sampleAccounts(220);
  const yearAbout = new Map([...describeAccounts(some, year)].map((d) => [d.accountId, d]));
  const yearRows = [...generateTransactions(some, year)];

  it("books each account's own rate over the window: busy businesses, quiet savings", () => {
    const perDay = (test: (d: AccountProfile) => boolean) => {
      const ds = [...yearAbout.values()].filter(test);
      return ds.reduce((sum, d) => sum + d.rows, 0) / ds.length / 365;
    };
    assert.equal(yearRows.length, [...yearAbout.values()].reduce((sum, d) => sum + d.rows, 0));
    const business = perDay((d) => d.accountType === 'business');
    const salaried = perDay((d) => d.accountType === 'current' && d.persona === 'salaried');
    const savings = perDay((d) => d.accountType === 'savings');
    assert.ok(business > salaried && salaried > 1 && salaried < 5 && savings < 0.5, `${business} ${salaried} ${savings}`);
    const shortWindow = [...describeAccounts(some.slice(0, 20), { ...year, days: 30 })];
    assert.ok(shortWindow.every((d) => d.rows < yearAbout.get(d.accountId)!.rows / 5), 'a month holds a month of activity');
  });

  it('lets most people earn roughly what they spend over a year (a savings rate, not a 4x gap)', () => {
    const flows = new Map<string, { in: number; out: number }>();
    for (const r of yearRows) {
      const f = flows.get(r.accountId) ?? { in: 0, out: 0 };
      if (r.amountMinor > 0) f.in += r.amountMinor;
      else f.out -= r.amountMinor;
      flows.set(r.accountId, f);
    }
    const current = [...flows].filter(([id]) => ['current', 'business'].includes(yearAbout.get(id)!.accountType));
    const balanced = current.filter(([, f]) => f.in / f.out > 0.75 && f.in / f.out < 1.5);
    assert.ok(balanced.length / current.length > 0.8, `${balanced.length} of ${current.length} accounts earn 0.75-1.5x what they spend`);
  });
});
