import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { ObpResponse, Transport } from './transport.js';
import { endpointOf } from './transport.js';

/**
 * A snapshot is the raw OBP responses of one extraction, keyed by `METHOD /path`, with the time
 * each arrived. Replaying feeds them to the same client code that talks to the network, so a
 * recorded extraction replays to identical banks, accounts, payloads and extractedAt times.
 * Only data calls are recorded: never the login request or its token.
 */
const FORMAT = 'hybridbank.obp-snapshot.v1';

const snapshotShape = z.object({
  format: z.literal(FORMAT),
  recordedAt: z.iso.datetime(),
  /** what was recorded: an OBP server root, or a description of the data behind it */
  recordedFrom: z.string(),
  apiVersion: z.string(),
  responses: z.record(z.string(), z.object({ status: z.number().int(), receivedAt: z.iso.datetime(), body: z.string() })),
});

export type Snapshot = z.output<typeof snapshotShape>;

/** The snapshot shipped with the project, built from OBP's sandbox example data. */
export const BUNDLED_SNAPSHOT = fileURLToPath(new URL('../../data/obp-snapshot.json', import.meta.url));

export function readSnapshot(file: string): Snapshot {
  const hint = 'Record one with `npm run obp:record -- --out FILE`, or rebuild the bundled one with `npm run obp:build-snapshot`.';
  if (!existsSync(file)) throw new HybridbankError('OBP_SNAPSHOT', `Snapshot file ${file} does not exist.`, { hint });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new HybridbankError('OBP_SNAPSHOT', `Snapshot file ${file} is not valid JSON: ${messageOf(error)}`, { hint, cause: error });
  }
  const parsed = snapshotShape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HybridbankError('OBP_SNAPSHOT', `Snapshot file ${file} is not a hybridbank OBP snapshot (${issue?.path.join('.') || 'root'}: ${issue?.message}).`, { hint });
  }
  return parsed.data;
}

export function replayTransport(snapshot: Snapshot, file: string): Transport {
  return {
    async send({ method, path: requestPath }) {
      const key = endpointOf(method, requestPath);
      const recorded = snapshot.responses[key];
      if (!recorded) {
        throw new HybridbankError('OBP_SNAPSHOT', `Snapshot ${file} holds no recorded response for ${key}.`, {
          hint: 'It was recorded with another bank selection: ask for banks it holds (--banks, --bank-id), or record again with `npm run obp:record`.',
        });
      }
      return { status: recorded.status, body: recorded.body, receivedAt: new Date(recorded.receivedAt), header: () => undefined };
    },
  };
}

/** Collects responses during a live extraction; the last response per key is the one acted on. */
export class SnapshotRecorder {
  private readonly responses = new Map<string, ObpResponse>();

  record(endpoint: string, response: ObpResponse): void {
    this.responses.set(endpoint, response);
  }

  get size(): number {
    return this.responses.size;
  }

  /** Writes atomically (temp file + rename) so a crash never leaves half a snapshot behind. */
  write(file: string, meta: { recordedFrom: string; apiVersion: string; recordedAt?: Date }): void {
    const snapshot: Snapshot = {
      format: FORMAT,
      recordedAt: (meta.recordedAt ?? new Date()).toISOString(),
      recordedFrom: meta.recordedFrom,
      apiVersion: meta.apiVersion,
      // sorted keys: concurrency makes arrival order vary, a stable file diffs cleanly
      responses: Object.fromEntries(
        [...this.responses.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, r]) => [key, { status: r.status, receivedAt: r.receivedAt.toISOString(), body: r.body }]),
      ),
    };
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    writeFileSync(temp, `${JSON.stringify(snapshot, null, 2)}\n`);
    renameSync(temp, file);
  }
}
