import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { HybridbankError } from '../src/core/errors.js';
import { extract } from '../src/obp/extract.js';
import { NO_FAULTS } from '../src/obp/sandbox/server.js';
import { capturingLogger, silentLogger } from './helpers/logger.js';
import { CONSUMER_KEY, FAST_BACKOFF, obpConfig, OWNER, startObpServer, type SandboxServer } from './helpers/obp-server.js';

const fast = { backoff: FAST_BACKOFF };

async function failure(promise: Promise<unknown>): Promise<HybridbankError> {
  const error = await promise.then(
    () => assert.fail('expected the extraction to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof HybridbankError, `a HybridbankError, got ${String(error)}`);
  return error;
}

describe('OBP faults: recovered or reported clearly', () => {
  let server: SandboxServer;
  before(async () => (server = await startObpServer()));
  after(() => server.close());
  beforeEach(() => {
    server.faults = structuredClone({ ...NO_FAULTS, slow: { times: 0, ms: 0 } });
  });

  it('429 with rate-limit headers: waits at least X-Rate-Limit-Reset, then succeeds', async () => {
    server.faults.rateLimit = { times: 2, resetSeconds: 0.3 };
    const { log, lines } = capturingLogger('warn');
    const started = Date.now();
    const extraction = await extract(obpConfig(server, { concurrency: 1 }), log, undefined, { backoff: { minMs: 5, maxMs: 1_000 } });
    assert.equal(extraction.accounts.length, 14);
    assert.ok(Date.now() - started >= 600, 'two waits of the 0.3 s reset');
    assert.equal(lines.filter((l) => l.includes('answered 429')).length, 2);
  });

  it('honours Retry-After too', async () => {
    server.faults.rateLimit = { times: 1, resetSeconds: 0, retryAfterSeconds: 0.4 };
    const started = Date.now();
    await extract(obpConfig(server, { concurrency: 1 }), silentLogger(), undefined, { backoff: { minMs: 5, maxMs: 1_000 } });
    assert.ok(Date.now() - started >= 400);
  });

  it('a 503 once is retried', async () => {
    server.faults.unavailable = 1;
    const extraction = await extract(obpConfig(server), silentLogger(), undefined, fast);
    assert.equal(extraction.accounts.length, 14);
  });

  it('rate limiting that never ends fails after the retries, quoting OBP', async () => {
    server.faults.rateLimit = { times: Infinity, resetSeconds: 0 };
    const before = server.requests.length;
    const error = await failure(extract(obpConfig(server, { retries: 2 }), silentLogger(), undefined, fast));
    assert.equal(error.code, 'OBP_HTTP');
    assert.match(error.message, /429 to POST \/my\/logins\/direct: "OBP-10018: Too Many Requests/);
    assert.match(error.hint ?? '', /--obp-concurrency/);
    assert.equal(server.requests.length - before, 3, 'one try and two retries');
  });

  it('an expired token is renewed by exactly one re-login', async () => {
    server.faults.expireToken = 1;
    const logins = server.logins;
    const extraction = await extract(obpConfig(server), silentLogger(), undefined, fast);
    assert.equal(extraction.accounts.length, 14);
    assert.equal(server.logins - logins, 2);
  });

  it('a token rejected again after the re-login fails instead of looping', async () => {
    server.faults.expireToken = Infinity;
    const logins = server.logins;
    const error = await failure(extract(obpConfig(server), silentLogger(), undefined, fast));
    assert.equal(error.code, 'OBP_AUTH');
    assert.match(error.message, /OBP-20003|again/);
    assert.equal(server.logins - logins, 2);
  });

  it('bad username/password: OBP-20004, hint names OBP_USERNAME/OBP_PASSWORD, no retry', async () => {
    const before = server.requests.length;
    const config = obpConfig(server, { credentials: { username: OWNER.email, password: 'wrong-password-123', consumerKey: CONSUMER_KEY } });
    const error = await failure(extract(config, silentLogger(), undefined, fast));
    assert.equal(error.code, 'OBP_AUTH');
    assert.match(error.message, /401 to POST \/my\/logins\/direct: "OBP-20004: Invalid login credentials/);
    assert.match(error.hint ?? '', /OBP_USERNAME and OBP_PASSWORD/);
    assert.equal(server.requests.length - before, 1, 'the 401 is not retried');
  });

  it('bad consumer key: OBP-20008, hint names OBP_CONSUMER_KEY', async () => {
    const config = obpConfig(server, { credentials: { username: OWNER.email, password: OWNER.password, consumerKey: 'not-the-key-0000' } });
    const error = await failure(extract(config, silentLogger(), undefined, fast));
    assert.equal(error.code, 'OBP_AUTH');
    assert.match(error.message, /OBP-20008: Invalid Consumer Key/);
    assert.match(error.hint ?? '', /OBP_CONSUMER_KEY/);
  });

  it('a bank that is gone (404 OBP-30001) is skipped with a warning', async () => {
    server.faults.goneBanks = ['obp-bank-x-gh'];
    const { log, lines } = capturingLogger('warn');
    const extraction = await extract(obpConfig(server), log, undefined, fast);
    assert.deepEqual(extraction.banks.map((b) => b.bankId), ['obp-bank-y-gh']);
    assert.equal(extraction.accounts.length, 7);
    assert.equal(extraction.skippedBanks[0]?.bankId, 'obp-bank-x-gh');
    assert.match(extraction.skippedBanks[0]!.reason, /404 .*OBP-30001/);
    assert.ok(lines.some((l) => l.includes('Skipping OBP bank obp-bank-x-gh')));
  });

  it('a v6-style shape fails naming the endpoint and the missing field', async () => {
    server.faults.v6Shapes = true;
    const error = await failure(extract(obpConfig(server), silentLogger(), undefined, fast));
    assert.equal(error.code, 'OBP_SHAPE');
    assert.match(error.message, /GET \/obp\/v5\.1\.0\/banks: field banks\[0\]\.id is missing \(the object has: bank_id,/);
    assert.match(error.hint ?? '', /v6\.0\.0 renames id to bank_id/);
  });

  it('an answer slower than the timeout is retried, then reported after the retries', async () => {
    server.faults.slow = { times: Infinity, ms: 400 };
    const before = server.requests.length;
    const error = await failure(extract(obpConfig(server, { timeoutMs: 100, retries: 2 }), silentLogger(), undefined, fast));
    assert.equal(error.code, 'OBP_UNREACHABLE');
    assert.match(error.message, /did not answer within 100 ms on POST \/my\/logins\/direct \(3 attempts\)/);
    assert.equal(server.requests.length - before, 3, 'one login attempt and two retries');
  });

  it('one slow answer is retried and the extraction succeeds', async () => {
    server.faults.slow = { times: 1, ms: 400 };
    const extraction = await extract(obpConfig(server, { timeoutMs: 150 }), silentLogger(), undefined, fast);
    assert.equal(extraction.accounts.length, 14);
  });
});

describe('OBP unreachable', () => {
  it('names the URL and suggests the snapshot', async () => {
    const error = await failure(extract(obpConfig({ url: 'http://127.0.0.1:9' }, { retries: 1 }), silentLogger(), undefined, fast));
    assert.equal(error.code, 'OBP_UNREACHABLE');
    assert.match(error.message, /Cannot reach OBP at http:\/\/127\.0\.0\.1:9: ECONNREFUSED/);
    assert.match(error.hint ?? '', /--obp-source snapshot/);
  });
});

describe('secrets', () => {
  it('no password, consumer key or token in any log line or error message', async () => {
    const server = await startObpServer({ faults: { expireToken: 1, rateLimit: { times: 1, resetSeconds: 0 } } });
    const { log, lines } = capturingLogger('trace');
    const messages: string[] = [];
    try {
      await extract(obpConfig(server), log, undefined, fast);
      for (const credentials of [
        { username: OWNER.email, password: 'Wrong!pass-777', consumerKey: CONSUMER_KEY },
        { username: OWNER.email, password: OWNER.password, consumerKey: 'wrong-consumer-key-777' },
      ]) {
        const error = await failure(extract(obpConfig(server, { credentials }), log, undefined, fast));
        messages.push(error.message, error.hint ?? '');
      }
    } finally {
      await server.close();
    }
    assert.equal(server.tokens.length, 2);
    const secrets = [OWNER.password, 'Wrong!pass-777', CONSUMER_KEY, 'wrong-consumer-key-777', ...server.tokens];
    const text = [...lines, ...messages].join('\n');
    assert.ok(lines.length > 5);
    for (const secret of secrets) assert.ok(!text.includes(secret), `secret ${secret.slice(0, 3)}… leaked`);
  });
});
