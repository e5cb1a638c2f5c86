import type { Config } from '../config/config.js';
import { HybridbankError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { extract, type ExtractOptions } from './extract.js';
import { SnapshotRecorder } from './snapshot.js';
import type { Extraction } from './types.js';

/**
 * Runs a live extraction and saves its raw responses as a snapshot that
 * `--obp-source snapshot --snapshot FILE` replays to the same result. Nothing is written if the
 * extraction fails, so a snapshot is always complete.
 */
export async function recordSnapshot(
  config: Config['obp'],
  log: Logger,
  out: string,
  options: { signal?: AbortSignal; recordedFrom?: string; backoff?: ExtractOptions['backoff'] } = {},
): Promise<{ extraction: Extraction; responses: number }> {
  if (!config.credentials) {
    throw new HybridbankError('CONFIG_INVALID', 'Recording a snapshot needs the live OBP API, but no OBP credentials are set.', {
      hint: 'Set OBP_USERNAME, OBP_PASSWORD and OBP_CONSUMER_KEY (and OBP_BASE_URL for a server other than the OBP sandbox).',
    });
  }
  const recorder = new SnapshotRecorder();
  const extraction = await extract({ ...config, source: 'live' }, log, options.signal, { recorder, backoff: options.backoff });
  recorder.write(out, { recordedFrom: options.recordedFrom ?? config.baseUrl, apiVersion: extraction.apiVersion });
  log.info({ out, responses: recorder.size }, `Recorded ${recorder.size} OBP responses to ${out}`);
  return { extraction, responses: recorder.size };
}
