import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { HybridbankError, messageOf } from '../core/errors.js';
import { MCC_CATEGORIES } from './mcc.js';
import { CHANNELS } from './types.js';

/**
 * A generation profile: transaction types with their bounds, merchant categories with their
 * amount distributions, personas and fraud pattern mix. The behaviour behind each `kind` and
 * `pattern` is code; everything numeric is data, so users can copy profiles/default.json and
 * tune it. Amounts in a profile are major units (5 = 5.00); the generator converts them once.
 */
export const TRANSACTION_KINDS = [
  'card', 'atm', 'transfer', 'direct_debit', 'bill', 'salary', 'refund', 'cash_deposit', 'transfer_in', 'interest', 'repayment',
] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];
export const CREDIT_KINDS: ReadonlySet<TransactionKind> = new Set(['salary', 'refund', 'cash_deposit', 'transfer_in', 'interest', 'repayment']);
/** kinds booked on a monthly schedule, never drawn at random */
export const RECURRING_KINDS: ReadonlySet<TransactionKind> = new Set(['salary', 'direct_debit', 'bill', 'interest', 'repayment']);
/** credits booked at a monthly rate per persona (`creditsPerMonth`), never drawn with the spending */
export const RATED_CREDIT_KINDS: ReadonlySet<TransactionKind> = new Set(['cash_deposit', 'transfer_in']);

/** kinds drawn row by row for the rest of an account's activity */
export const DISCRETIONARY_KINDS: ReadonlySet<TransactionKind> = new Set(['card', 'atm', 'transfer', 'refund']);

export const FRAUD_PATTERNS = ['card_testing', 'account_takeover', 'atm_velocity', 'large_amount'] as const;
export type FraudPattern = (typeof FRAUD_PATTERNS)[number];
/** the transaction kind each fraud pattern books its rows as */
export const FRAUD_PATTERN_KIND: Readonly<Record<FraudPattern, TransactionKind>> = {
  card_testing: 'card',
  account_takeover: 'transfer',
  atm_velocity: 'atm',
  large_amount: 'card',
};

// Balances are numeric(18,2): amounts far below that bound keep every history representable.
const MAX_AMOUNT = 1_000_000_000;
const amount = z
  .number()
  .positive()
  .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT.toLocaleString('en')} (balances are stored as numeric(18,2))`)
  .refine((n) => Number.isInteger(Math.round(n * 100)) && Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'must have at most 2 decimal places');
const range = (n: z.ZodNumber) => z.tuple([n, n]).refine(([lo, hi]) => lo <= hi, 'must be [min, max] with min <= max');

const transactionType = z.strictObject({
  name: z.string().min(1),
  kind: z.enum(TRANSACTION_KINDS),
  direction: z.enum(['debit', 'credit']),
  minAmount: amount,
  maxAmount: amount,
  /** share among the discretionary rows (card, atm, transfer, refund); ignored for other kinds */
  weight: z.number().min(0).default(0),
  /** a card type with channel ONLINE books the online purchases of its merchant categories' onlineShare */
  channel: z.enum(CHANNELS),
  /** `{party}` is replaced by the merchant, payee, biller or employer */
  description: z.string().min(1).refine((s) => s.split('{party}').length <= 2, 'may contain {party} at most once'),
});

const COUNTRY_KEY = z.string().regex(/^([A-Z]{2}|\*)$/, 'keys are ISO 3166 country codes like GB, or "*" for everywhere');

const merchantCategory = z.strictObject({
  mcc: z.string().regex(/^\d{4}$/, 'must be a four-digit ISO 18245 code').refine((c) => c in MCC_CATEGORIES, {
    message: `must be one of the codes in src/synth/mcc.ts (${Object.keys(MCC_CATEGORIES).join(', ')})`,
  }),
  /** purchase: card spending; direct_debit / bill: billers of monthly recurring payments */
  use: z.enum(['purchase', 'direct_debit', 'bill']).default('purchase'),
  weight: z.number().min(0).default(1),
  /** log-normal amount: median in major units and sigma of the log */
  medianAmount: amount,
  spread: z.number().min(0).max(3),
  onlineShare: z.number().min(0).max(1).default(0),
  /** brands with shops or a card-present presence, by ISO 3166 country code; "*" = everywhere */
  brands: z.record(COUNTRY_KEY, z.array(z.string().min(1))).default({}),
  /** brands that exist only online (always channel ONLINE), by country code or "*" */
  onlineBrands: z.record(COUNTRY_KEY, z.array(z.string().min(1))).default({}),
  /** faker-made local merchants are named "<Surname>'s <suffix>" (card-present) */
  localSuffixes: z.array(z.string().min(1)).default([]),
});

const logNormal = z.strictObject({ medianAmount: amount, spread: z.number().min(0).max(3) });

const persona = z.strictObject({
  name: z.string().min(1),
  weight: z.number().min(0),
  /** one person's monthly net income (salary, pension, business takings), drawn log-uniformly */
  monthlyIncome: range(z.number().positive()),
  /** share of the income spent, drawn per person: the rest is saved */
  spendShare: range(z.number().min(0).max(2)).default([0.85, 1]),
  openingBalance: range(z.number().min(0)),
  /** real balances (major units) the persona plausibly holds; personas are chosen to fit OBP's balance */
  balanceRange: range(z.number()),
  overdraftLimit: z.number().min(0).default(0),
  /** transactions a day, on average, for `--transactions-per-account auto` */
  dailyTransactions: z.number().positive(),
  /** credits that are not salary, per month: e.g. { "cash_deposit": 0.1, "transfer_in": 0.5 } */
  creditsPerMonth: z.partialRecord(z.enum(TRANSACTION_KINDS), z.number().min(0)).default({}),
  /** false: no monthly salary; income comes from the persona's other credits */
  salary: z.boolean().default(true),
  /** who pays the salary (e.g. pension funds) by country code or "*"; default: faker-made employers */
  incomeSources: z.record(COUNTRY_KEY, z.array(z.string().min(1))).default({}),
  recurringBills: range(z.number().int().min(0).max(20)),
  payees: range(z.number().int().min(1).max(50)),
  /** multipliers of transaction type weights by kind, e.g. { "atm": 2 } */
  kindWeights: z.partialRecord(z.enum(TRANSACTION_KINDS), z.number().min(0)).default({}),
  /** multipliers of merchant category weights by MCC, e.g. { "5814": 3 } */
  categoryWeights: z.record(z.string(), z.number().min(0)).default({}),
  /** hours by which the daily activity curve moves (retirees shop earlier) */
  hourShift: z.number().int().min(-6).max(6).default(0),
});

/** What an OBP account type allows: matched in order against OBP's type (case-insensitive), the last is the catch-all. */
const accountType = z.strictObject({
  name: z.string().min(1),
  /** regular expression over OBP's account type, e.g. "SAVING|ISA" */
  match: z.string().refine((s) => {
    try {
      new RegExp(s, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'must be a valid regular expression'),
  kinds: z.array(z.enum(TRANSACTION_KINDS)).min(1),
  /** persona names that hold this type of account */
  personas: z.array(z.string().min(1)).min(1),
  /** credit card: the balance is what is owed and the overdraft limit is the credit limit */
  creditLimit: range(z.number().positive()).optional(),
  /** savings: yearly interest rate paid monthly on the balance */
  interestRate: z.number().min(0).max(0.5).default(0),
  /** multiplier of the persona's activity rate (a savings account moves rarely) */
  activity: z.number().positive().default(1),
  /** false: no arranged overdraft (savings) */
  overdraft: z.boolean().default(true),
  /** replaces the persona's creditsPerMonth (savings are paid in by transfer) */
  creditsPerMonth: z.partialRecord(z.enum(TRANSACTION_KINDS), z.number().min(0)).optional(),
});

/** Where an account lives, from its currency: country, time zones and the faker locale of local names. */
const region = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 code like GB'),
  weight: z.number().positive().default(1),
  timezones: z.array(z.string().refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone like Europe/London')).min(1),
  fakerLocale: z.enum(['en', 'en_GB', 'en_US', 'de', 'fr', 'es', 'it', 'nl']).default('en'),
});

const fraudPattern = z.strictObject({
  pattern: z.enum(FRAUD_PATTERNS),
  weight: z.number().min(0),
  rows: range(z.number().int().min(1).max(50)),
});

/** The names a profile gives for a country: its own, then those for everywhere ("*"). */
export function inCountry(byCountry: Record<string, string[]>, country: string): string[] {
  return [...(byCountry[country] ?? []), ...(byCountry['*'] ?? [])];
}

const profileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().optional(),
    fallbackCurrencies: z.array(z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR')).min(1),
    transactionTypes: z.array(transactionType).min(1),
    merchantCategories: z.array(merchantCategory).min(1),
    personas: z.array(persona).min(1),
    fraudPatterns: z.array(fraudPattern).min(1),
    /** at the default fraud rate, the share of accounts that see fraud in a year; fraud comes in incidents on them */
    fraudVictimsPerYear: z.number().min(0.001).max(1).default(0.3),
    /**
     * realistic: the planners (schedules, personas, local time); uniform: what the original
     * script did, every row a type drawn by weight with a uniform amount in its bounds at a
     * uniform instant of the window (profiles/seed.json)
     */
    style: z.enum(['realistic', 'uniform']).default('realistic'),
    accountTypes: z.array(accountType).min(1),
    regions: z.array(region).min(1),
    /** numbers of the generator's behaviour that are not per type, category or persona */
    behaviour: z.strictObject({
      /** share of purchases at the account's usual places */
      habit: z.number().min(0).max(1),
      /** share of bill amounts that varies month to month (+-) */
      billJitter: z.number().min(0).max(0.9),
      /** person-to-person transfers (rent shares, gifts) */
      transferAmount: logNormal,
      /** cash paid in at a branch, and money received by transfer (as a share of the monthly income when it is the income) */
      cashDepositAmount: logNormal,
      transferInAmount: logNormal,
      /** ATM notes in major units with how often people pick each */
      atmNotes: z.array(z.tuple([z.number().positive(), z.number().min(0)])).min(1),
      /** refunds: the share of the purchase given back when partial, how often it is whole, and how many days later */
      refundShare: range(z.number().min(0.01).max(1)),
      fullRefundChance: z.number().min(0).max(1),
      refundDelayDays: range(z.number().int().min(0).max(90)),
      /** per-person spread of the activity rate (sigma of a log-normal) */
      activitySpread: z.number().min(0).max(2),
      /** chance per year of a pay rise, and its size */
      raiseChancePerYear: z.number().min(0).max(1),
      raiseSize: range(z.number().min(0).max(1)),
      /** what share of the overdraft a repaired low point stays above the limit, at most */
      overdraftSlack: z.number().min(0).max(1),
      /** chance that a transfer goes to someone outside the account's usual payees */
      newPayeeChance: z.number().min(0).max(1),
      /** chance that a purchase follows the previous one on the same trip, and how many minutes later */
      shoppingTripChance: z.number().min(0).max(1),
      shoppingTripMinutes: range(z.number().int().min(1).max(720)),
      /** local hours at which payroll and direct-debit collections post (overnight batches) */
      salaryHours: range(z.number().int().min(0).max(23)),
      directDebitHours: range(z.number().int().min(0).max(23)),
    }),
  })
  .superRefine((p, ctx) => {
    const issue = (where: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: where, message });
    const names = new Set<string>();
    const kinds = new Set<TransactionKind>();
    p.transactionTypes.forEach((t, i) => {
      if (names.has(t.name)) issue(['transactionTypes', i, 'name'], `duplicate type name "${t.name}"; names must be unique`);
      names.add(t.name);
      if (t.minAmount > t.maxAmount) issue(['transactionTypes', i, 'maxAmount'], `must be >= minAmount (${t.minAmount})`);
      const expected = CREDIT_KINDS.has(t.kind) ? 'credit' : 'debit';
      if (t.direction !== expected) issue(['transactionTypes', i, 'direction'], `kind "${t.kind}" is a ${expected}; set "direction": "${expected}"`);
      const cardTwin = t.kind === 'card' && p.transactionTypes.slice(0, i).filter((x) => x.kind === 'card').every((x) => (x.channel === 'ONLINE') !== (t.channel === 'ONLINE'));
      if (kinds.has(t.kind) && !cardTwin) issue(['transactionTypes', i, 'kind'], `only one type may have the kind "${t.kind}" (card: one card-present and one ONLINE)`);
      kinds.add(t.kind);
    });
    if (!p.transactionTypes.some((t) => DISCRETIONARY_KINDS.has(t.kind) && t.weight > 0)) {
      issue(['transactionTypes'], 'needs at least one discretionary type (card, atm, transfer, refund) with weight > 0');
    }
    const mccs = new Set<string>();
    p.merchantCategories.forEach((c, i) => {
      if (mccs.has(c.mcc)) issue(['merchantCategories', i, 'mcc'], `duplicate category ${c.mcc}`);
      mccs.add(c.mcc);
      const brandCount = Object.values(c.brands).flat().length + Object.values(c.onlineBrands).flat().length;
      if (brandCount + c.localSuffixes.length === 0) issue(['merchantCategories', i, 'brands'], 'give brands, onlineBrands or localSuffixes so the category has merchants');
    });
    // every region has a merchant of every category its people may buy from or pay (a purchase
    // without one reads "Online Purchase at "); a brand goes to the first category naming it, as
    // the pools give it (pools.ts)
    for (const { country } of p.regions) {
      const taken = new Set<string>();
      p.merchantCategories.forEach((c, i) => {
        const named = [c.brands, c.onlineBrands].flatMap((byCountry) => inCountry(byCountry, country));
        const fresh = named.filter((b) => !taken.has(b));
        for (const b of fresh) taken.add(b);
        if (c.weight > 0 && fresh.length + c.localSuffixes.length === 0) {
          issue(['merchantCategories', i, 'brands'], `category ${c.mcc} has no merchant in region ${country}: give it brands or onlineBrands for "${country}" (or "*"), or localSuffixes`);
        }
      });
    }
    const uses = new Set(p.merchantCategories.filter((c) => c.weight > 0).map((c) => c.use));
    const needs: [TransactionKind, 'purchase' | 'direct_debit' | 'bill'][] = [
      ['card', 'purchase'], ['refund', 'purchase'], ['direct_debit', 'direct_debit'], ['bill', 'bill'],
    ];
    for (const [kind, use] of needs) {
      if (kinds.has(kind) && !uses.has(use)) issue(['merchantCategories'], `type kind "${kind}" needs a category with "use": "${use}" and weight > 0`);
    }
    p.personas.forEach((persona, i) => {
      for (const mcc of Object.keys(persona.categoryWeights)) {
        if (!mccs.has(mcc)) issue(['personas', i, 'categoryWeights', mcc], `MCC ${mcc} is not in merchantCategories`);
      }
    });
    if (!p.personas.some((x) => x.weight > 0)) issue(['personas'], 'needs at least one persona with weight > 0');
    const personaNames = new Set(p.personas.map((x) => x.name));
    p.accountTypes.forEach((a, i) => {
      a.personas.forEach((name, j) => {
        if (!personaNames.has(name)) issue(['accountTypes', i, 'personas', j], `persona "${name}" is not in personas`);
      });
      if (!a.kinds.some((k) => DISCRETIONARY_KINDS.has(k) && kinds.has(k))) issue(['accountTypes', i, 'kinds'], 'needs a discretionary kind (card, atm, transfer or refund) that a transaction type has');
    });
    p.fraudPatterns.forEach((f, i) => {
      const kind = FRAUD_PATTERN_KIND[f.pattern];
      if (f.weight > 0 && !kinds.has(kind)) issue(['fraudPatterns', i, 'pattern'], `"${f.pattern}" books "${kind}" rows; add a type with that kind or set its weight to 0`);
    });
    if (!p.fraudPatterns.some((f) => f.weight > 0)) issue(['fraudPatterns'], 'needs at least one pattern with weight > 0 (fraud volume is set by --fraud-rate)');
  });

export type Profile = z.output<typeof profileSchema>;
export type ProfilePersona = Profile['personas'][number];
export type ProfileAccountType = Profile['accountTypes'][number];
export type ProfileRegion = Profile['regions'][number];

export const DEFAULT_PROFILE_PATH = fileURLToPath(new URL('../../profiles/default.json', import.meta.url));

/** Reads and validates a profile (JSON, or YAML for any other extension); undefined = the default profile. */
export function loadProfile(file: string | undefined): Profile {
  const where = file ?? DEFAULT_PROFILE_PATH;
  const hint = `Compare with ${path.relative(process.cwd(), DEFAULT_PROFILE_PATH) || DEFAULT_PROFILE_PATH}, which is a complete valid profile.`;
  let text: string;
  try {
    text = readFileSync(where, 'utf8');
  } catch (error) {
    throw new HybridbankError('PROFILE_INVALID', `Cannot read profile ${where}: ${messageOf(error)}`, {
      hint: 'Check the --profile path (relative paths are resolved from the project root).',
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = where.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new HybridbankError('PROFILE_INVALID', `Profile ${where} is not valid ${where.endsWith('.json') ? 'JSON' : 'YAML'}: ${messageOf(error)}`, { hint, cause: error });
  }
  return parseProfile(raw, where, hint);
}

/** A profile already parsed elsewhere (e.g. the one a load recorded in raw.load_runs.params), validated again. */
export function profileFromValue(raw: unknown, where: string): Profile {
  return parseProfile(raw, where, 'The profile recorded by an older hybridbank may predate this version; load again, or pass --generate.');
}

function parseProfile(raw: unknown, where: string, hint: string): Profile {
  const parsed = profileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message.replace(/^Invalid input: /, '')}`);
  throw new HybridbankError('PROFILE_INVALID', `Profile ${where} is invalid: ${lines.join('; ')}.`, { hint });
}

function formatPath(parts: readonly PropertyKey[]): string {
  if (parts.length === 0) return '(root)';
  return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
