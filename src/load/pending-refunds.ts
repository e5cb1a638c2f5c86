import { z } from 'zod';
import { HybridbankError } from '../core/errors.js';
import { formatMinorUnits, parseMinorUnits } from '../core/money.js';
import type { AccountProfile } from '../synth/index.js';
import { CHANNELS } from '../synth/types.js';

/**
 * raw.account_profiles.pending_refunds (migration 0009): the refunds a full history left due after
 * its end, as JSON a DBA can read, in the units of the other columns (UTC instants, decimal
 * amounts), and back. The only place that knows the column's shape.
 */
const PendingRefundJson = z.object({
  at: z.iso.datetime(),
  amount: z.string().regex(/^\d+\.\d{2}$/),
  channel: z.enum(CHANNELS),
  merchant: z.string().nullable(),
  mcc: z.string().nullable(),
});

const PendingRefundsJson = z.array(PendingRefundJson);

type PendingRefunds = AccountProfile['pendingRefunds'];

export function pendingRefundsJson(refunds: PendingRefunds): string {
  return JSON.stringify(
    refunds.map((r): z.infer<typeof PendingRefundJson> => ({
      at: new Date(r.atMs).toISOString(),
      amount: formatMinorUnits(r.amountMinor),
      channel: CHANNELS[r.channel]!,
      merchant: r.party?.name ?? null,
      mcc: r.party?.mcc ?? null,
    })),
  );
}

/** The column's value as the generator takes it; `account` names the row in the error. */
export function parsePendingRefunds(value: unknown, account: string): PendingRefunds {
  const parsed = PendingRefundsJson.safeParse(value);
  if (!parsed.success) {
    throw new HybridbankError('LOAD_FAILED', `raw.account_profiles.pending_refunds of account ${account} is not what this version writes:\n${z.prettifyError(parsed.error)}`, {
      hint: 'Run one full load (without --append): it writes every loaded account\'s profile anew.',
    });
  }
  return parsed.data.map((r) => ({
    atMs: Date.parse(r.at),
    amountMinor: parseMinorUnits(r.amount),
    channel: CHANNELS.indexOf(r.channel),
    // the merchant's own party of the purchase: its name and category are all a row shows of it
    party: r.merchant === null ? null : { name: r.merchant, mcc: r.mcc, descriptions: [] },
  }));
}
