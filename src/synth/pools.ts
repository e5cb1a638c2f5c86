import type { Faker } from '@faker-js/faker';
// Per-locale entry points only: the package root loads every locale (~40 MB of RSS).
import { faker as de } from '@faker-js/faker/locale/de';
import { faker as en } from '@faker-js/faker/locale/en';
import { faker as enGB } from '@faker-js/faker/locale/en_GB';
import { faker as enUS } from '@faker-js/faker/locale/en_US';
import { faker as es } from '@faker-js/faker/locale/es';
import { faker as fr } from '@faker-js/faker/locale/fr';
import { faker as it } from '@faker-js/faker/locale/it';
import { faker as nl } from '@faker-js/faker/locale/nl';
import { nameSource } from './names.js';
import { hashParts } from './prng.js';
import { inCountry, type Profile, type ProfileRegion } from './profile.js';

export const LOCALES: Readonly<Record<ProfileRegion['fakerLocale'], Faker>> = { en, en_GB: enGB, en_US: enUS, de, fr, es, it, nl };

/** Someone on the other side of a transaction. Merchant names are unique, so a name has one MCC. */
export interface Party {
  readonly name: string;
  /** ISO 18245 code for merchants, billers and ATMs; null for people, employers and branches */
  readonly mcc: string | null;
  /**
   * per transaction type of the profile (whose pools these are): the description of a row with this
   * party, made on first use (GenerationContext.describe). Kept on the party, not in a table indexed
   * by a party number, which grew sparse and was read by a hash lookup per row.
   */
  readonly descriptions: (string | undefined)[];
}

/** A category's merchants in one country: where a card is present, and where it is not. */
export interface CategoryMerchants {
  /** shops (brands with stores and local merchants) */
  present: readonly Party[];
  /** web shops: online-only brands and the brands that also sell online */
  online: readonly Party[];
}

/** Name pools built once per (seed, profile, region) from Faker's names; the hot path only indexes into them. */
export interface Pools {
  /** per profile merchant category, in profile order */
  merchants: readonly CategoryMerchants[];
  atms: readonly Party[];
  branches: readonly Party[];
  employers: readonly Party[];
  payees: readonly Party[];
  /** per persona, in profile order: who pays its salary */
  incomeSources: readonly (readonly Party[])[];
}

export const ATM_MCC = '6011';

export function party(name: string, mcc: string | null): Party {
  return { name, mcc, descriptions: [] };
}
const LOCALS_PER_SUFFIX = 12;
const cache = new WeakMap<Profile, Map<string, Pools>>();

export function poolsFor(profile: Profile, seed: string, regionIndex: number): Pools {
  let bySeed = cache.get(profile);
  if (!bySeed) cache.set(profile, (bySeed = new Map()));
  const key = `${regionIndex}:${seed}`;
  let pools = bySeed.get(key);
  if (!pools) bySeed.set(key, (pools = buildPools(profile, seed, profile.regions[regionIndex]!)));
  return pools;
}


function buildPools(profile: Profile, seed: string, region: ProfileRegion): Pools {
  const names = nameSource(LOCALES[region.fakerLocale], hashParts('pools', seed, region.country, region.currency));
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
  const merchants = profile.merchantCategories.map((category): CategoryMerchants => {
    const fresh = (list: string[]) => list.filter((b) => !merchantNames.has(b));
    const brands = fresh(inCountry(category.brands, region.country));
    for (const b of brands) merchantNames.add(b);
    const onlineOnly = fresh(inCountry(category.onlineBrands, region.country));
    for (const b of onlineOnly) merchantNames.add(b);
    const locals = category.localSuffixes.flatMap((suffix) =>
      unique(LOCALS_PER_SUFFIX, () => `${names.lastName()}'s ${suffix}`, merchantNames),
    );
    const merchant = (name: string): Party => party(name, category.mcc);
    const brandParties = brands.map(merchant);
    return { present: [...brandParties, ...locals.map(merchant)], online: [...onlineOnly.map(merchant), ...brandParties] };
  });
  const people = (list: string[]): Party[] => list.map((name) => party(name, null));
  const employers = people(unique(300, () => names.companyName()));
  return {
    merchants,
    atms: unique(200, () => `${names.street()}, ${names.city()}`).map((name) => party(name, ATM_MCC)),
    branches: people(unique(80, () => `${names.city()} Branch`)),
    employers,
    payees: people(unique(800, () => names.fullName())),
    incomeSources: profile.personas.map((p) => {
      const sources = inCountry(p.incomeSources, region.country);
      return sources.length > 0 ? people(sources) : employers;
    }),
  };
}
