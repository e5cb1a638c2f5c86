import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBuffer, NOT_FRAUD } from '../src/synth/events.js';
import { Rng } from '../src/synth/prng.js';

describe("an account's events", () => {
  it("are put in time order, ties by slot, spread over a window, crowded into a day or a burst, or an appended day's few", () => {
    const rng = Rng.of('events-sort');
    const events = new EventBuffer();
    for (const [n, seconds] of [[100, 90 * 86_400], [5000, 86_400], [400, 60], [200, 2], [50, 1], [1, 1], [2, 86_400], [12, 86_400], [12, 3], [13, 86_400]] as const) {
      events.reset(n);
      for (let i = 0; i < n; i++) events.add(rng.int(seconds), 0, 0, 0, null, NOT_FRAUD, false);
      events.sort([0]);
      const expected = Array.from({ length: n }, (_, slot) => slot).sort((a, b) => events.secondOf(a) - events.secondOf(b) || a - b);
      assert.deepEqual([...events.order.subarray(0, n)], expected, `${n} events in ${seconds} s`);
    }
  });
});
