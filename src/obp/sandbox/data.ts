import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { HybridbankError, messageOf } from '../../core/errors.js';

/**
 * What the local OBP-compatible server serves: OBP's own sandbox import format (banks, users,
 * accounts; other sections such as transactions are ignored). A user sees the accounts whose
 * `owners` list their `user_name`, as OBP's importer grants owner views.
 */
const routing = z.object({ scheme: z.string(), address: z.string() });
/** `bank_routings` (a BIC, say) and `attributes` are optional: OBP's import file has neither, OBP's /banks answers both */
const bank = z.object({
  id: z.string(),
  short_name: z.string(),
  full_name: z.string(),
  logo: z.string(),
  website: z.string(),
  bank_routings: z.array(routing).optional(),
  attributes: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});
const user = z.object({ email: z.string(), user_name: z.string(), password: z.string() });
const account = z.object({
  id: z.string(),
  bank: z.string(),
  label: z.string().nullable(),
  number: z.string(),
  type: z.string(),
  balance: z.object({ currency: z.string(), amount: z.string() }),
  IBAN: z.string(),
  owners: z.array(z.string()),
});
const dataShape = z.object({ banks: z.array(bank), users: z.array(user), accounts: z.array(account) });

export type SandboxData = z.output<typeof dataShape>;
export type SandboxBank = SandboxData['banks'][number];
export type SandboxUser = SandboxData['users'][number];
export type SandboxAccount = SandboxData['accounts'][number];

/** Banks, users and accounts of OBP-API's example_import.json, committed so the sandbox runs without ../shared. */
export const EXAMPLE_DATA_FILE = fileURLToPath(new URL('./example-data.json', import.meta.url));

export function readSandboxData(file = EXAMPLE_DATA_FILE): SandboxData {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new HybridbankError('CONFIG_INVALID', `Cannot read sandbox data ${file}: ${messageOf(error)}`, { cause: error });
  }
  return toSandboxData(json, file);
}

/** Keeps the banks, users and accounts of an OBP import file, validated. */
export function toSandboxData(json: unknown, file: string): SandboxData {
  const parsed = dataShape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HybridbankError('CONFIG_INVALID', `Sandbox data ${file} is not in OBP's import format: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Adds a user who owns every account: the view of the bundled snapshot and of the demo server. */
export function withUserSeeingAllAccounts(data: SandboxData, newUser: SandboxUser): SandboxData {
  return {
    ...data,
    users: [...data.users, newUser],
    accounts: data.accounts.map((a) => ({ ...a, owners: [...a.owners, newUser.user_name] })),
  };
}

/** Adds a bank where nobody has an account. */
export function withEmptyBank(data: SandboxData, id = 'hybridbank-empty-bank'): SandboxData {
  const empty: SandboxBank = { id, short_name: 'Empty', full_name: 'A Bank Without Accounts', logo: '', website: 'https://www.example.com' };
  return { ...data, banks: [...data.banks, empty] };
}

/** Gives every bank and account a name outside ASCII, to prove text survives end to end. */
export function withNonAsciiNames(data: SandboxData): SandboxData {
  return {
    ...data,
    banks: data.banks.map((b) => ({ ...b, full_name: `${b.full_name} — Zürich Ünïcødé 銀行`, short_name: `${b.short_name} ß€` })),
    accounts: data.accounts.map((a) => ({ ...a, label: a.label === null ? null : `${a.label} · Zoë Øre 口座` })),
  };
}
