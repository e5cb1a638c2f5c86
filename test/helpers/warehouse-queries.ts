import type pg from 'pg';

/** Row counts of the raw tables, for asserting what a run left visible. */
export async function rawCounts(pool: pg.Pool): Promise<{ banks: number; accounts: number; transactions: number }> {
  const { rows } = await pool.query<{ banks: string; accounts: string; transactions: string }>(`
    SELECT (SELECT count(*) FROM raw.banks) AS banks,
           (SELECT count(*) FROM raw.accounts) AS accounts,
           (SELECT count(*) FROM raw.transactions) AS transactions`);
  const r = rows[0]!;
  return { banks: Number(r.banks), accounts: Number(r.accounts), transactions: Number(r.transactions) };
}

export async function loadRuns(pool: pg.Pool): Promise<{ load_id: string; status: string; error: string | null }[]> {
  const { rows } = await pool.query(`SELECT load_id, status, error FROM raw.load_runs ORDER BY started_at`);
  return rows;
}

/** Tables in raw_loads that are no partition of raw.transactions: what a run left behind. */
export async function detachedTables(pool: pg.Pool | pg.ClientBase): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class WHERE relnamespace = 'raw_loads'::regnamespace AND relkind = 'r' AND NOT relispartition ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** A digest of the transactions' content, leaving out what differs by run (load_id, generated_at). */
export async function transactionsDigest(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ digest: string }>(`
    SELECT md5(string_agg(concat_ws('|', transaction_id, bank_id, account_id, amount, currency, transaction_type, description,
                 merchant, merchant_category, counterparty, channel, transaction_date, is_weekend, balance_after,
                 is_fraud, fraud_pattern, data_source), E'\\n' ORDER BY transaction_id)) AS digest
    FROM raw.transactions`);
  return rows[0]!.digest;
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * True once this database's load is streaming its COPY (other test files load into other databases
 * at the same time): into a partition of its own (a full load), or into raw.transactions (a merge).
 */
export async function copyInProgress(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ~ '^COPY raw(_loads)?\\.transactions' AND state = 'active'`,
  );
  return rows[0].n > 0;
}

/** Fails the test with the command's stderr unless the CLI run succeeded. */
export function assertSucceeded(result: { code: number | null; stderr: string }): void {
  if (result.code !== 0) throw new Error(`the load exited ${result.code}:\n${result.stderr.slice(-4000)}`);
}
