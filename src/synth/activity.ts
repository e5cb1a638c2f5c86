import type { GenerateOptions } from './context.js';
import { DAYS_PER_MONTH } from './context.js';

/** How many transactions a day people make: outside this, a fixed count says something odd about the window. */
export const PLAUSIBLE_DAILY = [0.5, 5] as const;

/** The mean daily rate of the profile's personas (weighted), on their usual account type. */
function meanDailyRate(options: GenerateOptions): number {
  const personas = options.profile.personas;
  const total = personas.reduce((sum, p) => sum + p.weight, 0) || 1;
  return personas.reduce((sum, p) => sum + p.dailyTransactions * p.weight, 0) / total;
}

/** Rows a run will generate (exact for a fixed count, an estimate for `auto`): for progress bars. */
export function expectedRows(accounts: number, options: GenerateOptions): number {
  const n = options.transactionsPerAccount;
  return n === 'auto' ? Math.round(accounts * meanDailyRate(options) * options.days) : accounts * n;
}

/**
 * What is odd about a fixed --transactions-per-account for --days, with the numbers: too few rows
 * for the monthly salary and bills (they are booked first; what does not fit is dropped), or a
 * daily rate far from what people do. Empty for `auto`, which follows each persona.
 */
export function activityWarnings(options: GenerateOptions): string[] {
  const n = options.transactionsPerAccount;
  if (n === 'auto') return [];
  const out: string[] = [];
  const perDay = n / options.days;
  const months = Math.ceil(options.days / DAYS_PER_MONTH);
  const recurring = Math.max(...options.profile.personas.map((p) => (p.salary ? 1 : 0) + p.recurringBills[1])) * months;
  if (n < recurring) {
    out.push(
      `--transactions-per-account ${n} cannot hold the recurring rows of ${options.days} days (up to ${recurring}: a salary and up to ` +
        `${recurring / months - 1} bills a month): some accounts lose their salary or bills. Use at least ${recurring}, fewer --days, or --transactions-per-account auto.`,
    );
  }
  if (perDay < PLAUSIBLE_DAILY[0] || perDay > PLAUSIBLE_DAILY[1]) {
    const typical = meanDailyRate(options);
    out.push(
      `--transactions-per-account ${n} over --days ${options.days} is ${perDay.toFixed(2)} transactions a day per account; people make ` +
        `${PLAUSIBLE_DAILY[0]}-${PLAUSIBLE_DAILY[1]} (this profile's personas ${typical.toFixed(1)} on average). ` +
        `Try --transactions-per-account ${Math.round(typical * options.days)} or auto.`,
    );
  }
  return out;
}
