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

  it("hashes each part as cyrb128 reads `${length}:${part}`, whatever the part's length", () => {
    const reference = (...parts: string[]) => {
      let [h1, h2, h3, h4] = [1779033703, 3144134277 | 0, 1013904242, 2773480762 | 0];
      for (const text of parts.map((p) => `${p.length}:${p}`)) {
        for (let i = 0; i < text.length; i++) {
          const k = text.charCodeAt(i);
          h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
          h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
          h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
          h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
        }
      }
      h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
      h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
      h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
      h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
      h1 ^= h2 ^ h3 ^ h4;
      return [h1 >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
    };
    for (const length of [0, 1, 9, 10, 99, 100, 255, 256, 1000]) {
      const part = 'x'.repeat(length);
      assert.deepEqual(hashParts('day', part, '2026-10-01'), reference('day', part, '2026-10-01'), `a part of ${length} characters`);
    }
  });

  it('hashes parts by their boundaries, not only their text', () => {
    assert.notDeepEqual(hashParts('ab', 'c'), hashParts('a', 'bc'));
    assert.notDeepEqual(draws(new StreamFamily('ab').of('c')), draws(new StreamFamily('a').of('bc')));
  });
});
