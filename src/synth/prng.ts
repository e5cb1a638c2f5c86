/**
 * Seeded randomness for the hot path. Faker and Math.random are far too slow (and Math.random is
 * not seedable), so each account gets its own sfc32 stream, seeded by a 128-bit string hash of
 * (seed, bank, account): accounts never share state, so adding or reordering accounts changes no
 * other account's rows.
 */

import type { Randomizer } from '@faker-js/faker';

/** cyrb128 over length-prefixed parts, so ("ab","c") and ("a","bc") hash differently. */
export function hashParts(...parts: readonly string[]): [number, number, number, number] {
  return finish(absorb(START, parts));
}

/** cyrb128's state before any part */
const START: readonly [number, number, number, number] = [1779033703, 3144134277 | 0, 1013904242, 2773480762 | 0];

/** `${length}:` of the lengths most parts have, made once (a stream per account-day reads one) */
const LENGTH_PREFIXES = Array.from({ length: 256 }, (_, n) => `${n}:`);

/** The state after reading `parts` from `state`. */
function absorb(state: readonly [number, number, number, number], parts: readonly string[]): [number, number, number, number] {
  // int32 from the start (the mixing reads them as int32 anyway), so the loop never leaves integers
  let [h1, h2, h3, h4] = state;
  // the text `${part.length}:${part}` of each part, read in place: building it cost a string per account and stream
  for (const part of parts) {
    const prefix = LENGTH_PREFIXES[part.length] ?? `${part.length}:`;
    for (let i = -prefix.length; i < part.length; i++) {
      const k = i < 0 ? prefix.charCodeAt(prefix.length + i) : part.charCodeAt(i);
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
  }
  return [h1, h2, h3, h4];
}

function finish(state: readonly [number, number, number, number]): [number, number, number, number] {
  let [h1, h2, h3, h4] = state;
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/**
 * The streams of parts that all start with the same ones (an account's days): those are read
 * once. `new StreamFamily(a, b).of(c)` is `Rng.of(a, b, c)`.
 */
export class StreamFamily {
  private readonly state: readonly [number, number, number, number];

  constructor(...prefix: readonly string[]) {
    this.state = absorb(START, prefix);
  }

  of(...parts: readonly string[]): Rng {
    return new Rng(finish(absorb(this.state, parts)));
  }
}

/**
 * MT19937 with 53-bit floats: the generator faker seeds by default (its generateMersenne53Randomizer,
 * which only the package root exports, and the root loads every locale). The name pools draw from
 * it what faker's helpers would draw, without a call through faker's options per draw.
 */
export class Mersenne implements Randomizer {
  private readonly state = new Uint32Array(624);
  private index = 624;

  constructor(seed: number | readonly number[]) {
    this.seed(seed);
  }

  seed(seed: number | readonly number[]): void {
    const mt = this.state;
    const init = (s: number) => {
      mt[0] = s;
      for (let i = 1; i < 624; i++) mt[i] = Math.imul(1812433253, mt[i - 1]! ^ (mt[i - 1]! >>> 30)) + i;
    };
    if (typeof seed === 'number') init(seed);
    else {
      // init_by_array of the reference implementation
      init(19650218);
      let i = 1;
      let j = 0;
      for (let k = Math.max(624, seed.length); k > 0; k--) {
        mt[i] = (mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1664525)) + seed[j]! + j;
        i++;
        j++;
        if (i >= 624) {
          mt[0] = mt[623]!;
          i = 1;
        }
        if (j >= seed.length) j = 0;
      }
      for (let k = 623; k > 0; k--) {
        mt[i] = (mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1566083941)) - i;
        i++;
        if (i >= 624) {
          mt[0] = mt[623]!;
          i = 1;
        }
      }
      mt[0] = 0x80000000;
    }
    this.index = 624;
  }

  /** uniform in [0, 1), 53 bits from two outputs */
  next(): number {
    const high = this.u32() >>> 5;
    const low = this.u32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  private u32(): number {
    if (this.index >= 624) this.twist();
    let y = this.state[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const mt = this.state;
    for (let k = 0; k < 624; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
      mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}

/** sfc32: small, fast, passes PractRand; 32-bit integer ops only. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: readonly [number, number, number, number]) {
    // indexed, not destructured: a stream per account-day, and destructuring goes through the array's iterator
    this.a = seed[0];
    this.b = seed[1];
    this.c = seed[2];
    this.d = seed[3];
    // the first outputs of sfc32 still echo the seed; discard them
    for (let i = 0; i < 12; i++) this.next();
  }

  static of(...parts: readonly string[]): Rng {
    return new Rng(hashParts(...parts));
  }

  /** uniform in [0, 1) */
  next(): number {
    const t0 = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const t = (t0 + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** integer in [min, max] */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** standard normal (Box-Muller); 1 - next() keeps log away from 0 */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }

  /** Poisson count of mean `mean`: Knuth's product below 30, a rounded normal above (close enough there) */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean >= 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = this.next(); p > limit; p *= this.next()) k++;
    return k;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

/**
 * Draws an index with probability proportional to its weight: cumulative sums searched from a
 * guide table (a bucket of the unit interval says where to start), which takes a comparison or
 * two where a binary search over a window's days takes seven. Same index as a binary search.
 */
export class WeightedTable {
  private readonly cumulative: Float64Array;
  /** guide[k]: the first index whose cumulative weight exceeds k / buckets of the total */
  private readonly guide: Uint32Array;
  readonly total: number;

  constructor(weights: ArrayLike<number>) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) {
      sum += Math.max(0, weights[i] as number);
      this.cumulative[i] = sum;
    }
    this.total = sum;
    const buckets = Math.max(1, weights.length * 2);
    this.guide = new Uint32Array(buckets);
    for (let k = 0, i = 0; k < buckets; k++) {
      const x = (k / buckets) * sum;
      while (i < weights.length - 1 && (this.cumulative[i] as number) <= x) i++;
      this.guide[k] = i;
    }
  }

  pick(rng: Rng): number {
    const u = rng.next();
    const x = u * this.total;
    const c = this.cumulative;
    const last = c.length - 1;
    let i = this.guide[Math.floor(u * this.guide.length)] as number;
    while (i < last && (c[i] as number) <= x) i++;
    // rounding at a bucket's edge may start one too far: the first index above x, as a binary search finds
    while (i > 0 && (c[i - 1] as number) > x) i--;
    return i;
  }
}
