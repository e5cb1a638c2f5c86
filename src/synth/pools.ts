import type { Faker } from '@faker-js/faker';
// The English entry point only: the package root loads every locale (~40 MB of RSS).
import { faker as englishFaker } from '@faker-js/faker/locale/en';

const FakerClass = englishFaker.constructor as typeof Faker;
import { hashParts } from './prng.js';
import type { Profile } from './profile.js';

/** Someone on the other side of a transaction. Merchant names are unique, so a name has one MCC. */
export interface Party {
  readonly name: string;
  /** ISO 18245 code for merchants, billers and ATMs; null for people, employers and branches */
  readonly mcc: string | null;
}

/** Name pools built once per (seed, profile) with Faker; the hot path only indexes into them. */
export interface Pools {
  /** per profile merchant category, in profile order */
  merchants: readonly (readonly Party[])[];
  atms: readonly Party[];
  branches: readonly Party[];
  employers: readonly Party[];
  payees: readonly Party[];
  /** per persona, in profile order: who pays its salary */
  incomeSources: readonly (readonly Party[])[];
}

export const ATM_MCC = '6011';
const LOCALS_PER_SUFFIX = 12;
const cache = new WeakMap<Profile, Map<string, Pools>>();

export function poolsFor(profile: Profile, seed: string): Pools {
  let bySeed = cache.get(profile);
  if (!bySeed) cache.set(profile, (bySeed = new Map()));
  let pools = bySeed.get(seed);
  if (!pools) bySeed.set(seed, (pools = buildPools(profile, seed)));
  return pools;
}

function buildPools(profile: Profile, seed: string): Pools {
  // a private instance per pool build, so seeding it never disturbs anyone else's faker
  const faker = new FakerClass({ locale: englishFaker.rawDefinitions });
  faker.seed(hashParts('pools', seed));
  const unique = (count: number, make: () => string, taken = new Set<string>()): string[] => {
    const out: string[] = [];
    // bounded: faker's vocabularies are large, but never loop forever on a tiny one
    for (let tries = 0; out.length < count && tries < count * 20; tries++) {
      const name = make();
      if (!taken.has(name)) {
        taken.add(name);
        out.push(name);
      }
    }
    return out;
  };
  const merchantNames = new Set<string>();
  const merchants = profile.merchantCategories.map((category) => {
    const brands = category.brands.filter((b) => !merchantNames.has(b));
    for (const b of brands) merchantNames.add(b);
    const locals = category.localSuffixes.flatMap((suffix) =>
      unique(LOCALS_PER_SUFFIX, () => `${faker.person.lastName()}'s ${suffix}`, merchantNames),
    );
    return [...brands, ...locals].map((name) => ({ name, mcc: category.mcc }));
  });
  const people = (names: string[]): Party[] => names.map((name) => ({ name, mcc: null }));
  const employers = people(unique(300, () => faker.company.name()));
  return {
    merchants,
    atms: unique(200, () => `${faker.location.street()}, ${faker.location.city()}`).map((name) => ({ name, mcc: ATM_MCC })),
    branches: people(unique(80, () => `${faker.location.city()} Branch`)),
    employers,
    payees: people(unique(800, () => faker.person.fullName())),
    incomeSources: profile.personas.map((p) => (p.incomeSources.length > 0 ? people(p.incomeSources) : employers)),
  };
}
