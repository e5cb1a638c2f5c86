import type { Profile, SyntheticTransaction } from '../synth/index.js';
import { baselineModel, type BaselineResult } from './baseline.js';
import { featureTable, localTime } from './features.js';

/**
 * The realism scorecard: every property a demanding data scientist checks first, measured on a
 * set of histories, each against its target. A metric that needs more data than there is says
 * so and is skipped (not a miss).
 */
export interface RealismAccount {
  bankId: string;
  accountId: string;
  timezone: string;
  /** the profile's account type (current, savings, credit_card, business, ...) */
  accountKind: string;
  persona: string;
  overdraftLimitMinor: number;
  /** chronological */
  rows: SyntheticTransaction[];
}

export interface RealismInput {
  accounts: RealismAccount[];
  profile: Profile;
  /** the history window: no row may be at or after endMs (the as-of day's start) */
  window: { startMs: number; endMs: number; days: number };
  /** the configured fraud rate, when known */
  fraudRate: number | null;
}

export interface Metric {
  name: string;
  value: number | null;
  target: string;
  passed: boolean;
  skipped: boolean;
  detail: string;
}

export interface Scorecard {
  accounts: number;
  rows: number;
  metrics: Metric[];
  baseline: BaselineResult | null;
  passed: boolean;
}

const MIN_FRAUD_ROWS = 50;

type Check = { atMost?: number; atLeast?: number };
function metric(name: string, value: number | null, check: Check, detail = '', skipReason = ''): Metric {
  const target = [check.atLeast !== undefined ? `>= ${check.atLeast}` : '', check.atMost !== undefined ? `<= ${check.atMost}` : ''].filter(Boolean).join(' and ');
  if (value === null || Number.isNaN(value)) return { name, value: null, target, passed: true, skipped: true, detail: skipReason || 'no data' };
  const passed = (check.atLeast === undefined || value >= check.atLeast) && (check.atMost === undefined || value <= check.atMost);
  return { name, value: Number(value.toFixed(4)), target, passed, skipped: false, detail };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function scorecard(input: RealismInput, options: { model?: boolean } = {}): Scorecard {
  const { accounts, profile, window } = input;
  const rows = accounts.flatMap((a) => a.rows);
  const kindOf = new Map(profile.transactionTypes.map((t) => [t.name, t.kind]));
  const typeByName = new Map(profile.transactionTypes.map((t) => [t.name, t]));
  const metrics: Metric[] = [];
  const ofKind = (kind: string) => rows.filter((r) => kindOf.get(r.transactionType) === kind);

  // incomes
  const salaries = ofKind('salary');
  const salaryType = profile.transactionTypes.find((t) => t.kind === 'salary');
  metrics.push(metric('salary rows at the type minimum', salaries.length ? salaries.filter((r) => r.amountMinor === Math.round((salaryType?.minAmount ?? 0) * 100)).length / salaries.length : null, { atMost: 0.03 }, `${salaries.length} salary rows`));

  // amounts without pile-ups (ATM notes, fixed direct debits and interest are round or equal on purpose)
  let worst = { share: 0, detail: '' };
  for (const t of profile.transactionTypes) {
    if (['atm', 'direct_debit', 'interest'].includes(t.kind)) continue;
    const xs = rows.filter((r) => r.transactionType === t.name);
    if (xs.length < 200) continue;
    const counts = new Map<number, number>();
    for (const r of xs) counts.set(r.amountMinor, (counts.get(r.amountMinor) ?? 0) + 1);
    const [value, top] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    if (top / xs.length > worst.share) worst = { share: top / xs.length, detail: `${t.name}: ${top} of ${xs.length} rows at ${(Math.abs(value) / 100).toFixed(2)}` };
  }
  metrics.push(metric('largest share of one amount in a type', worst.detail ? worst.share : null, { atMost: 0.015 }, worst.detail, 'no type with 200 rows'));
  let worstMedian = { deviation: 0, detail: '' };
  for (const c of profile.merchantCategories.filter((x) => x.use === 'purchase')) {
    const xs = rows.filter((r) => r.merchantCategory === c.mcc && r.amountMinor < 0 && !r.isFraud && kindOf.get(r.transactionType) === 'card').map((r) => -r.amountMinor / 100);
    if (xs.length < 100) continue;
    const deviation = Math.abs(median(xs) / c.medianAmount - 1);
    if (deviation > worstMedian.deviation) worstMedian = { deviation, detail: `MCC ${c.mcc}: median ${median(xs).toFixed(2)} against the profile's ${c.medianAmount}` };
  }
  metrics.push(metric('largest category median deviation from the profile', worstMedian.detail ? worstMedian.deviation : 0, { atMost: 0.2 }, worstMedian.detail));

  // refunds
  const refunds = ofKind('refund');
  const purchases = ofKind('card').filter((r) => !r.isFraud);
  const byAccount = new Map(accounts.map((a) => [`${a.bankId}/${a.accountId}`, a.rows]));
  const followed = refunds.filter((f) => byAccount.get(`${f.bankId}/${f.accountId}`)!.some((p) => p.merchant === f.merchant && p.amountMinor < 0 && -p.amountMinor >= f.amountMinor && p.timestampMs < f.timestampMs));
  metrics.push(metric('refunds following a purchase at the same merchant', refunds.length ? followed.length / refunds.length : null, { atLeast: 0.9 }, `${refunds.length} refunds`));
  metrics.push(metric('refunds per purchase', purchases.length >= 500 ? refunds.length / purchases.length : null, { atLeast: 0.01, atMost: 0.03 }, `${purchases.length} purchases`, 'fewer than 500 purchases'));

  // activity and incomes against spending
  metrics.push(metric('median transactions a day per account', accounts.length ? median(accounts.map((a) => a.rows.length / window.days)) : null, { atLeast: 0.5, atMost: 5 }));
  const flows = accounts.filter((a) => ['current', 'business'].includes(a.accountKind) && a.rows.length >= 30).map((a) => {
    let credit = 0;
    let debit = 0;
    for (const r of a.rows) if (r.amountMinor > 0) credit += r.amountMinor; else debit -= r.amountMinor;
    return credit / (debit || 1);
  });
  metrics.push(metric('current accounts earning 0.75-1.5x what they spend', flows.length ? flows.filter((x) => x >= 0.75 && x <= 1.5).length / flows.length : null, { atLeast: 0.7 }, `${flows.length} current or business accounts`));
  const cashShare = (test: (a: RealismAccount) => boolean) => {
    const xs = accounts.filter(test).flatMap((a) => a.rows);
    return xs.length ? xs.filter((r) => kindOf.get(r.transactionType) === 'cash_deposit').length / xs.length : null;
  };
  metrics.push(metric('cash deposits among salaried rows', cashShare((a) => a.persona === 'salaried' && a.accountKind === 'current'), { atMost: 0.01 }));
  metrics.push(metric('cash deposits among business rows', cashShare((a) => a.accountKind === 'business'), { atLeast: 0.02 }));

  // local time
  const cardPresent = accounts.flatMap((a) => a.rows.filter((r) => r.channel === 'POS').map((r) => localTime(a.timezone, r.timestampMs).hour));
  metrics.push(metric('card-present purchases at 00:00-05:59 local', cardPresent.length ? cardPresent.filter((h) => h < 6).length / cardPresent.length : null, { atMost: 0.05 }, hourProfile(cardPresent)));
  const wrongWeekend = accounts.reduce((sum, a) => sum + a.rows.filter((r) => r.isWeekend !== [0, 6].includes(localTime(a.timezone, r.timestampMs).weekday)).length, 0);
  metrics.push(metric('rows whose is_weekend is not the local weekend', rows.length ? wrongWeekend : null, { atMost: 0 }));
  metrics.push(metric('rows dated at or after the as-of day', rows.filter((r) => r.timestampMs >= window.endMs).length, { atMost: 0 }));
  // what would happen after the window is left out, not moved onto its edge (by chance, a row in 86,400 x days)
  metrics.push(metric("rows on the window's last second", rows.length ? rows.filter((r) => r.timestampMs === window.endMs - 1000).length / rows.length : null, { atMost: 0.0001 }));

  // ledger
  const onLimit = accounts.reduce((sum, a) =>
    a.overdraftLimitMinor > 0 && a.overdraftLimitMinor % 10_000 === 0 ? sum + a.rows.filter((r) => r.balanceAfterMinor === -a.overdraftLimitMinor).length : sum, 0);
  metrics.push(metric('rows exactly at a round overdraft limit', rows.length ? onLimit / rows.length : null, { atMost: 0.0005 }));

  // channels and merchants agree
  const onlineOnly = new Set(profile.merchantCategories.flatMap((c) => Object.values(c.onlineBrands).flat()));
  const disagree = rows.filter((r) => (typeByName.get(r.transactionType)?.channel === 'POS' && kindOf.get(r.transactionType) === 'card' && r.channel === 'ONLINE') || (r.channel === 'POS' && r.merchant !== null && onlineOnly.has(r.merchant))).length;
  metrics.push(metric('card-present rows that are ONLINE or at an online-only brand', disagree, { atMost: 0 }));
  const kindsWithMerchant = new Set(['card', 'refund']);
  metrics.push(metric('purchases and refunds without a merchant', rows.filter((r) => kindsWithMerchant.has(kindOf.get(r.transactionType) ?? '') && r.merchant === null).length, { atMost: 0 }));

  // fraud
  const fraud = rows.filter((r) => r.isFraud);
  const victims = new Set(fraud.map((r) => `${r.bankId}/${r.accountId}`)).size;
  const victimShare = accounts.length ? victims / accounts.length : 0;
  metrics.push(metric('accounts seeing fraud in a year', fraud.length ? 1 - Math.pow(1 - Math.min(victimShare, 0.999999), 365 / window.days) : null, { atMost: 0.5 }, `${victims} of ${accounts.length} accounts over ${window.days} days`, 'no fraud rows'));
  if (input.fraudRate !== null && input.fraudRate > 0) {
    metrics.push(metric('fraud prevalence against the configured rate', rows.length ? fraud.length / rows.length / input.fraudRate : null, { atLeast: 0.75, atMost: 1.25 }, `${fraud.length} fraud rows, rate ${input.fraudRate}`));
  }
  let baseline: BaselineResult | null = null;
  const tooFew = `needs ${MIN_FRAUD_ROWS} fraud rows, has ${fraud.length}: use --generate, or load more (--transactions-per-account auto --days 365)`;
  if (options.model !== false && fraud.length >= MIN_FRAUD_ROWS && fraud.length < rows.length) {
    baseline = baselineModel(featureTable(accounts.map((a) => ({ rows: a.rows, timezone: a.timezone }))));
    const [feature, auc] = Object.entries(baseline.singleFeatureAuc).sort((a, b) => b[1] - a[1])[0]!;
    metrics.push(metric('strongest single-feature ROC-AUC', auc, { atMost: 0.85 }, feature));
    metrics.push(metric('baseline gradient boosting ROC-AUC (folds by account)', baseline.rocAuc, { atLeast: 0.8, atMost: 0.97 }, `${baseline.folds} folds, ${baseline.fraudRows} fraud rows`));
    metrics.push(metric('baseline gradient boosting PR-AUC', baseline.prAuc, { atMost: 0.75 }, `prevalence ${(fraud.length / rows.length).toFixed(4)}`));
  } else {
    for (const name of ['strongest single-feature ROC-AUC', 'baseline gradient boosting ROC-AUC (folds by account)', 'baseline gradient boosting PR-AUC']) {
      metrics.push(metric(name, null, {}, '', options.model === false ? 'model not run' : tooFew));
    }
  }
  return { accounts: accounts.length, rows: rows.length, metrics, baseline, passed: metrics.every((m) => m.passed) };
}

/** Share of rows per local hour, as a compact sparkline-like string (for the detail column). */
function hourProfile(hours: number[]): string {
  if (hours.length === 0) return '';
  const counts = new Array<number>(24).fill(0);
  for (const h of hours) counts[h]!++;
  return `by hour: ${counts.map((c) => Math.round((c / hours.length) * 100)).join(' ')} (%)`;
}

export function renderScorecard(card: Scorecard): string {
  const lines = [`HYBRIDBANK REALISM SCORECARD (${card.accounts} accounts, ${card.rows} transactions)`, ''];
  const width = Math.max(...card.metrics.map((m) => m.name.length));
  for (const m of card.metrics) {
    const mark = m.skipped ? '-' : m.passed ? '✓' : '✗';
    const value = m.value === null ? 'n/a' : String(m.value);
    lines.push(`${mark} ${m.name.padEnd(width)}  ${value.padStart(9)}  target ${m.target || '-'}${m.detail ? `  (${m.detail})` : ''}`);
  }
  const missed = card.metrics.filter((m) => !m.passed);
  lines.push('', missed.length ? `${missed.length} metric(s) missed their target.` : 'Every metric meets its target.');
  return `${lines.join('\n')}\n`;
}
