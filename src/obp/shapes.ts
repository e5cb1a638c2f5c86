import { z } from 'zod';
import { HybridbankError } from '../core/errors.js';

/**
 * The response shapes hybridbank reads (OBP v4.0.0 – v5.1.0), validated with zod. Only the fields
 * we use are declared; everything else passes through untouched in the raw payload we keep.
 * Fields a view can hide come back null, so they are nullable.
 */
const hideable = z.string().nullable().optional();
const routings = z.array(z.looseObject({ scheme: z.string(), address: z.string() })).nullable().optional();
/** bank attributes (v4.0.0+): where a bank is may be one of them (obp/country.ts) */
const attributes = z.array(z.looseObject({ name: z.string(), value: z.string().nullable() })).nullable().optional();

export const banksShape = z.object({
  banks: z.array(
    z.object({ id: z.string().min(1), short_name: hideable, full_name: hideable, logo: hideable, website: hideable, bank_routings: routings, attributes }),
  ),
});

const accountSummary = z.object({
  id: z.string().min(1),
  label: hideable,
  account_type: hideable,
  account_routings: routings,
});

/** `/banks/B/accounts/private` is wrapped; `/banks/B/accounts` and friends are bare arrays. Read both. */
export const accountListShape = z.union([z.object({ accounts: z.array(accountSummary) }), z.array(accountSummary)]);

export const accountDetailShape = z.object({
  id: z.string().min(1),
  label: hideable,
  number: hideable,
  product_code: hideable,
  // amount stays a string: OBP sends decimals as text and a float would lose cents
  balance: z.object({ currency: hideable, amount: z.string().nullable() }).nullable().optional(),
  account_routings: routings,
});

export type AccountSummary = z.output<typeof accountSummary>;
export type AccountDetail = z.output<typeof accountDetailShape>;
export type Routings = AccountSummary['account_routings'];

/**
 * Validates one response body. On a shape we do not know, fails naming the endpoint and the first
 * field that is missing or of the wrong type, plus the fields the object does have — which is what
 * makes e.g. v6.0.0's `bank_id` instead of `id` obvious at a glance.
 */
export function readShape<S extends z.ZodType>(endpoint: string, shape: S, json: unknown, apiVersion: string): z.output<S> {
  const parsed = shape.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = deepestIssue(parsed.error.issues);
  const field = formatPath(issue.path);
  const parent = valueAt(json, issue.path.slice(0, -1));
  const value = valueAt(json, issue.path);
  const problem = value === undefined ? 'is missing' : `is ${describe(value)}, not what OBP ${apiVersion} sends (${issue.message})`;
  const has = parent && typeof parent === 'object' && !Array.isArray(parent) ? ` (the object has: ${Object.keys(parent).join(', ') || 'no fields'})` : '';
  return fail(endpoint, `field ${field || '(root)'} ${problem}${has}`, apiVersion);
}

function fail(endpoint: string, what: string, apiVersion: string): never {
  throw new HybridbankError('OBP_SHAPE', `Unexpected response shape from ${endpoint}: ${what}.`, {
    hint: `hybridbank reads the OBP ${apiVersion} shapes (v4.0.0 to v5.1.0). Newer versions rename fields (v6.0.0 renames id to bank_id / account_id): set OBP_API_VERSION=v5.1.0.`,
  });
}

/** A union reports one issue per branch; the one that got furthest into the data is the informative one. */
function deepestIssue(issues: z.core.$ZodIssue[]): z.core.$ZodIssue {
  const flat = issues.flatMap((issue) =>
    issue.code === 'invalid_union' ? issue.errors.flat().map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })) : [issue],
  );
  return flat.reduce((best, issue) => (issue.path.length > best.path.length ? issue : best));
}

function formatPath(path: PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

function valueAt(json: unknown, path: PropertyKey[]): unknown {
  let value = json;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
