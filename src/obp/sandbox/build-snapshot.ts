/**
 * `npm run obp:build-snapshot [IMPORT_FILE]`: builds the committed offline artifacts from OBP-API's
 * sandbox example data (default ../shared/obp/obp-sandbox-example-import.json):
 *  - src/obp/sandbox/example-data.json, the banks/users/accounts the local sandbox server serves;
 *  - data/obp-snapshot.json, the bundled snapshot: a real recording, through the same client, of
 *    that data served by the sandbox server to a user who owns every account (all 14).
 * Both are committed, so nothing here is needed at run time.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../log/logger.js';
import { recordSnapshot } from '../record.js';
import { BUNDLED_SNAPSHOT } from '../snapshot.js';
import { EXAMPLE_DATA_FILE, toSandboxData, withUserSeeingAllAccounts } from './data.js';
import { startSandboxServer } from './server.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const importFile = path.resolve(process.argv[2] ?? path.join(projectRoot, '../shared/obp/obp-sandbox-example-import.json'));
const log = createLogger({ level: 'info' });

const data = toSandboxData(JSON.parse(readFileSync(importFile, 'utf8')), importFile);
writeFileSync(EXAMPLE_DATA_FILE, `${JSON.stringify(data, null, 2)}\n`);

// throwaway credentials: they only exist inside this process and never reach the snapshot
const owner = { email: 'hybridbank.snapshot@example.com', user_name: 'hybridbank.snapshot', password: randomBytes(12).toString('hex') };
const consumerKey = randomBytes(12).toString('hex');
const server = await startSandboxServer({ data: withUserSeeingAllAccounts(data, owner), consumerKey });
try {
  const { extraction } = await recordSnapshot(
    {
      baseUrl: server.url,
      apiVersion: 'v5.1.0',
      credentials: { username: owner.email, password: owner.password, consumerKey },
      source: 'live',
      snapshotPath: undefined,
      banks: data.banks.length,
      bankIds: [],
      concurrency: 4,
      timeoutMs: 15_000,
      maxResponseBytes: 16 << 20,
    retries: 0,
    },
    log,
    BUNDLED_SNAPSHOT,
    { recordedFrom: "OBP-API's sandbox example data (example_import.json) served by hybridbank's OBP-compatible sandbox, seen by an owner of every account" },
  );
  process.stdout.write(`Wrote ${path.relative(projectRoot, EXAMPLE_DATA_FILE)} and ${path.relative(projectRoot, BUNDLED_SNAPSHOT)}: ${extraction.banks.length} banks, ${extraction.accounts.length} accounts.\n`);
} finally {
  await server.close();
}
