import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Faker } from '@faker-js/faker';
import { nameSource } from '../src/synth/names.js';
import { LOCALES } from '../src/synth/pools.js';
import { hashParts, Mersenne } from '../src/synth/prng.js';

// The pools' names are faker's: the same names, drawn without faker's template engine.

const SEEDS = [hashParts('pools', 'bench', 'GB', 'GBP'), hashParts('pools', '11', 'DE', 'EUR'), [7]];

/** a faker of the locale on its default randomizer, seeded as the pools seed theirs */
function seeded(locale: Faker, seed: number | readonly number[]): Faker {
  const faker = new (locale.constructor as typeof Faker)({ locale: locale.rawDefinitions });
  faker.seed(typeof seed === 'number' ? seed : [...seed]);
  return faker;
}

describe('the name pools', () => {
  it("draw from faker's default randomizer, seeded by a number or by parts", () => {
    for (const seed of [...SEEDS, 42]) {
      const faker = seeded(LOCALES.en, seed);
      const mersenne = new Mersenne(seed);
      // past 624 outputs: the state is regenerated
      for (let i = 0; i < 1500; i++) assert.equal(mersenne.next(), faker.number.float(), `seed ${String(seed)}, draw ${i}`);
    }
  });

  it("draw the names faker's own calls draw, in any order, for every locale a profile can name", () => {
    for (const [name, locale] of Object.entries(LOCALES)) {
      for (const seed of SEEDS) {
        const faker = seeded(locale, seed);
        const names = nameSource(locale, seed);
        const pairs: [() => string, () => string][] = [
          [names.lastName, () => faker.person.lastName()],
          [names.fullName, () => faker.person.fullName()],
          [names.companyName, () => faker.company.name()],
          [names.street, () => faker.location.street()],
          [names.city, () => faker.location.city()],
        ];
        for (let i = 0; i < 1000; i++) {
          const [ours, fakers] = pairs[(i * 7 + Math.floor(i / 5)) % pairs.length]!;
          assert.equal(ours(), fakers(), `${name}, name ${i}`);
        }
      }
    }
  });
});
