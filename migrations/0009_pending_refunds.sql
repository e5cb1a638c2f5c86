-- 0009_pending_refunds.sql
-- Refunds that a full history leaves due after its end (issue 15).
--
-- A full history refunds some of its purchases days later. A refund that
-- falls due after the history's as-of day is not in the history (it used to
-- be moved to the window's last second). It is kept here instead, on the
-- account's profile, and `load --append` books it on its day. So refunds run
-- on across the boundary: without these, appended days could refund only
-- their own purchases, and the first three weeks after a full load had a
-- fraction of the usual refunds.
--
-- One JSON array per account, in time order, a few entries at most:
--   [{"at": "2026-09-03T10:11:12.000Z", "amount": "12.34",
--     "channel": "POS", "merchant": "...", "mcc": "5411"}, ...]
-- Appends drop the entries they book. A full load writes it anew.
-- Adding a column with a constant default rewrites nothing.

ALTER TABLE raw.account_profiles
    ADD COLUMN pending_refunds jsonb NOT NULL DEFAULT '[]'
        CONSTRAINT account_profiles_pending_refunds_check
            CHECK (jsonb_typeof(pending_refunds) = 'array');

COMMENT ON COLUMN raw.account_profiles.pending_refunds IS
    'Refunds of the last full history''s purchases that fall due after history_end, in time order: at (UTC), amount, channel, merchant, mcc. load --append books each on its day and drops it.';
