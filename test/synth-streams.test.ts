import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashParts, Rng, StreamFamily } from '../src/synth/prng.js';

const draws = (rng: Rng) => Array.from({ length: 8 }, () => rng.next());

describe('seeded streams', () => {
  it('a family of streams reads its common parts once and gives each stream Rng.of would', () => {
    const cases: [string[], string[]][] = [
      [['day', 'seed', 'bank-1', 'acc-1'], ['2026-10-01']],
      [['day', 'seed', 'bank-1', 'acc-1'], ['2026-10-02']],
      [['day', '', 'bänk ✓', 'acc/ü'], ['', 'x']],
      [[], ['refunds', 'seed', 'b', 'a', '7']],
      [['fraud', 'seed', 'b', 'a'], []],
    ];
    for (const [prefix, parts] of cases) {
      assert.deepEqual(draws(new StreamFamily(...prefix).of(...parts)), draws(Rng.of(...prefix, ...parts)), JSON.stringify([prefix, parts]));
    }
  });

  it('hashes parts by their boundaries, not only their text', () => {
    assert.notDeepEqual(hashParts('ab', 'c'), hashParts('a', 'bc'));
    assert.notDeepEqual(draws(new StreamFamily('ab').of('c')), draws(new StreamFamily('a').of('bc')));
  });
});
