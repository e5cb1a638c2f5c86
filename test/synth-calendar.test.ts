import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityOf, accountState } from '../src/synth/account.js';
import { dayOfMonthBit, historyWindow, isoDay, monthlyBusinessDays, monthlyDueMask } from '../src/synth/calendar.js';
import { dayContext, generationContext } from '../src/synth/context.js';
import { EventBuffer } from '../src/synth/events.js';
import { plansOf, recurringDayMask, RECURRING_ORDER } from '../src/synth/kinds.js';
import { Rng } from '../src/synth/prng.js';
import { loadProfile, sampleAccounts } from '../src/synth/index.js';

const FIRST = historyWindow('2027-01-01', 1).firstDay;

describe('monthly schedules', () => {
  it("a day's due mask names exactly the days of the month whose schedule books that day (weekends moved back to Friday, across month ends)", () => {
    let due = 0;
    for (let day = FIRST; day < FIRST + 800; day++) {
      const window = historyWindow(isoDay(day + 1), 1);
      const mask = monthlyDueMask(day);
      for (let d = 1; d <= 31; d++) {
        const booked = monthlyBusinessDays(window, d).length > 0;
        assert.equal((mask & dayOfMonthBit(d)) !== 0, booked, `${isoDay(day)}, due on day ${d}`);
        if (booked) due++;
      }
    }
    // each schedule once a month (a 31st not in every month): the check is not vacuous
    assert.ok(due > 26 * 28 && due <= 27 * 31, `${due} schedule-days due`);
    assert.equal(dayOfMonthBit(0), -1, 'a day no schedule names is never skipped');
  });

  it("book no recurring row on a day none of the account's schedules falls due, so an append may skip their planners", () => {
    const options = { seed: 'calendar', asOf: '2027-01-01', days: 90, transactionsPerAccount: 'auto' as const, fraudRate: 0.005, profile: loadProfile(undefined) };
    const base = generationContext(options);
    const events = new EventBuffer();
    let skipped = 0;
    let booked = 0;
    for (const account of sampleAccounts(40)) {
      const who = identityOf(account, base);
      const mask = recurringDayMask(who);
      for (let day = FIRST; day < FIRST + 62; day++) {
        const ctx = dayContext(base, day);
        events.reset(64);
        const rng = Rng.of('calendar-test', String(day));
        const s = accountState(ctx, who, rng, events, null);
        for (const { type, plan } of plansOf(ctx, who.accountType, 'recurring', RECURRING_ORDER)) plan(s, type, Number.MAX_SAFE_INTEGER);
        if ((mask & monthlyDueMask(day)) === 0) {
          skipped++;
          assert.equal(events.count, 0, `${account.bankId}/${account.accountId} on ${isoDay(day)}`);
          assert.equal(rng.next(), Rng.of('calendar-test', String(day)).next(), 'and draws nothing');
        } else booked += events.count;
      }
    }
    assert.ok(skipped > 40 * 62 * 0.5, `${skipped} account-days skipped`);
    assert.ok(booked > 40 * 2, `${booked} recurring rows on the other days`);
  });
});
