import type { Faker } from '@faker-js/faker';
import { Mersenne } from './prng.js';

/**
 * The names a pool is built from, drawn as a faker seeded with `seed` draws them with
 * person.lastName, person.fullName, company.name, location.street and location.city: the same
 * draws from the same stream in the same order, so the same names. Faker's own calls spent most
 * of a pool build in its template engine (helpers.fake and helpers.mustache parse a pattern and
 * build RegExps on every call) and in option handling per draw; here every pattern is parsed once
 * and the draws read the stream directly. A placeholder other than a person's name or a list of
 * the locale's words leaves its pattern to faker's fake (or mustache) on the same stream.
 * test/synth-names.test.ts holds the names equal to faker's for every locale a profile can name.
 */
export interface NameSource {
  lastName(): string;
  fullName(): string;
  companyName(): string;
  street(): string;
  city(): string;
}

type Sex = 'female' | 'male';
type Draw = () => string;
/** faker's lists by sex (first names, last-name patterns, prefixes) */
interface BySex<T> {
  generic?: readonly T[];
  female?: readonly T[];
  male?: readonly T[];
}
interface Weighted<T> {
  weight: number;
  value: T;
}

const SEXES: readonly Sex[] = ['female', 'male'];
/** where fake finds a placeholder: `{{` and a lower-case letter, to the next `}}` */
const PLACEHOLDER = /\{\{([a-z][^]*?)\}\}/g;
/** the placeholders of a full name; the split keeps the key between the literals */
const NAME_PLACEHOLDER = /\{\{(person\.(?:prefix|firstName|middleName|lastName|suffix))\}\}/;
/** what fullName hands mustache, which fills the keys in this order wherever they stand in the pattern */
const NAME_KEYS = ['person.prefix', 'person.firstName', 'person.middleName', 'person.lastName', 'person.suffix'] as const;
type NameKey = (typeof NAME_KEYS)[number];
type FullName = (sex: Sex, first: string, last: string) => string;

/** `locale`: the locale's faker, whose definitions are read (it draws nothing); `seed` as faker.seed takes it */
export function nameSource(locale: Faker, seed: readonly number[]): NameSource {
  const random = new Mersenne(seed);
  let drawing: Faker | undefined;
  // a private faker on the same stream, made only for a pattern it draws itself: no one else's faker is disturbed
  const faker = () => (drawing ??= new (locale.constructor as typeof Faker)({ locale: locale.rawDefinitions, randomizer: random }));
  const { definitions } = locale;
  const person = definitions.person;

  /** as helpers.arrayElement draws: nothing for a list of one */
  function pick<T>(list: readonly T[]): T {
    if (list.length === 0) throw new RangeError('no value to pick from an empty list');
    return list[list.length > 1 ? Math.floor(random.next() * list.length) : 0]!;
  }

  /** as helpers.weightedArrayElement draws */
  function pickWeighted<T>(list: readonly Weighted<T>[]): T {
    let total = 0;
    for (const { weight } of list) total += weight;
    const x = random.next() * total;
    let sum = 0;
    for (const { weight, value } of list) if (x < (sum += weight)) return value;
    return list.at(-1)!.value;
  }

  /**
   * A sex's own list or the generic one, as faker's person module chooses (a sex drawn when none
   * is given); the weighted choice between the two made once per list, not per draw.
   */
  function bySex<T>(entry: BySex<T>): (sex?: Sex) => readonly T[] {
    const choice = (own: readonly T[] | undefined): (() => readonly T[]) => {
      const generic = entry.generic;
      if (own == null) return () => generic ?? [];
      if (generic == null) return () => own;
      const lists = [{ weight: 3 * Math.sqrt(own.length), value: own }, { weight: Math.sqrt(generic.length), value: generic }];
      return () => pickWeighted(lists);
    };
    const female = choice(entry.female);
    const male = choice(entry.male);
    return (sex = pick(SEXES)) => (sex === 'female' ? female() : male());
  }
  /** the lists of a definition that only some patterns use, read when one does: faker throws for a list the locale lacks */
  const lazily = <T>(entry: () => BySex<T>) => {
    let lists: ((sex?: Sex) => readonly T[]) | undefined;
    return (sex?: Sex) => (lists ??= bySex(entry()))(sex);
  };

  const firstNames = bySex(person.first_name);
  const firstName = (sex?: Sex) => pick(firstNames(sex));

  const templates = new Map<string, Draw>();
  /** a pattern of fake's, its placeholders resolved once and drawn from left to right as fake draws them */
  function template(pattern: string): Draw {
    let draw = templates.get(pattern);
    if (!draw) templates.set(pattern, (draw = compile(pattern) ?? (() => faker().helpers.fake(pattern))));
    return draw;
  }

  function compile(pattern: string): Draw | null {
    const literals: string[] = [];
    const draws: Draw[] = [];
    let from = 0;
    for (const match of pattern.matchAll(PLACEHOLDER)) {
      const draw = resolve(match[1]!);
      if (draw === null) return null;
      literals.push(pattern.slice(from, match.index));
      draws.push(draw);
      from = match.index + match[0].length;
    }
    const tail = pattern.slice(from);
    return () => {
      let out = '';
      for (let i = 0; i < draws.length; i++) out += literals[i]! + draws[i]!();
      return out + tail;
    };
  }

  /** a placeholder: a person's first or last name, or one of a list of the locale's words (`location.street_suffix`) */
  function resolve(expression: string): Draw | null {
    if (expression === 'person.firstName') return () => firstName();
    if (expression === 'person.lastName') return () => lastName();
    const [module, ...keys] = expression.split('.') as [string, ...string[]];
    // fake looks the path up in faker's modules too: only a path that no module has is a plain list
    const owner = (locale as unknown as Record<string, unknown>)[module];
    if (keys.length === 0 || (owner !== undefined && !(isRecord(owner) && owner[keys[0]!] === undefined))) return null;
    let node: unknown = locale.rawDefinitions;
    for (const key of [module, ...keys]) node = isRecord(node) ? node[key] : undefined;
    // fake picks one word of a list (and would expand a word that is a pattern again)
    if (!Array.isArray(node) || !node.every((word) => typeof word === 'string' && !word.includes('{'))) return null;
    const words = node as readonly string[];
    return () => pick(words);
  }

  /** fake over a list of patterns: one is picked, then drawn */
  function oneOf(patterns: string | readonly string[]): Draw {
    if (typeof patterns === 'string') return template(patterns);
    const draws = patterns.map(template);
    return () => pick(draws)();
  }

  const patterns = locale.rawDefinitions.person?.last_name_pattern;
  const compiled = (list: readonly Weighted<string>[] | undefined) => list?.map(({ weight, value }) => ({ weight, value: template(value) }));
  const lastNames = patterns ? bySex({ generic: compiled(patterns.generic), female: compiled(patterns.female), male: compiled(patterns.male) }) : null;
  const plainLastNames = lazily(() => person.last_name);
  function lastName(sex?: Sex): string {
    return lastNames ? pickWeighted(lastNames(sex))() : pick(plainLastNames(sex));
  }

  const prefixes = lazily(() => person.prefix);
  const middleNames = lazily(() => person.middle_name);
  /** a part of a full name: the person's first and last names are drawn before the pattern */
  function namePart(key: NameKey, sex: Sex, first: string, last: string): string {
    if (key === 'person.firstName') return first;
    if (key === 'person.lastName') return last;
    if (key === 'person.prefix') return pick(prefixes(sex));
    if (key === 'person.middleName') return pick(middleNames(sex));
    return pick(person.suffix);
  }

  /** a full-name pattern: its parts filled in mustache's order, then joined in the pattern's */
  function fullNameTemplate(pattern: string): FullName {
    const pieces = pattern.split(NAME_PLACEHOLDER);
    const literals = pieces.filter((_, i) => i % 2 === 0);
    if (literals.some((literal) => literal.includes('{{'))) {
      return (sex, first, last) => faker().helpers.mustache(pattern, Object.fromEntries(NAME_KEYS.map((key) => [key, () => namePart(key, sex, first, last)])));
    }
    const keys = pieces.filter((_, i) => i % 2 === 1) as NameKey[];
    const order = NAME_KEYS.flatMap((key) => keys.flatMap((k, i) => (k === key ? [i] : [])));
    return (sex, first, last) => {
      const values: string[] = [];
      for (const i of order) values[i] = namePart(keys[i]!, sex, first, last);
      let out = literals[0]!;
      for (let i = 0; i < keys.length; i++) out += values[i]! + literals[i + 1]!;
      return out;
    };
  }
  const fullNames = person.name.map(({ weight, value }) => ({ weight, value: fullNameTemplate(value) }));

  return {
    lastName: () => lastName(),
    fullName: () => {
      const sex = pick(SEXES);
      const first = firstName(sex);
      const last = lastName(sex);
      return pickWeighted(fullNames)(sex, first, last);
    },
    companyName: oneOf(definitions.company.name_pattern),
    street: oneOf(definitions.location.street_pattern),
    city: oneOf(definitions.location.city_pattern),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
