import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactText, registerSecret } from '../src/log/redact.js';
import { capturingLogger } from './helpers/logger.js';

describe('secret redaction', () => {
  it('keeps registered secrets, URL passwords and DirectLogin values out of log lines', () => {
    registerSecret('tok-ABCDEF-123');
    const { log, lines } = capturingLogger();
    log.info({ url: 'postgres://u:pw-in-url@h/db', password: 'plain', nested: { consumer_key: 'ck-1' } }, 'token is tok-ABCDEF-123');
    log.warn('DirectLogin: username=u, password=hunter22, consumer_key=ck-abcdef');
    log.error({ err: new Error('failed with tok-ABCDEF-123') }, 'boom');
    const text = lines.join('\n');
    for (const secret of ['tok-ABCDEF-123', 'pw-in-url', 'plain', 'ck-1', 'hunter22', 'ck-abcdef']) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    assert.equal(lines.length, 3);
    assert.match(text, /\[REDACTED\]/);
  });

  it('scrubs error text the same way', () => {
    registerSecret('another-secret-value');
    assert.equal(redactText('x another-secret-value y'), 'x [REDACTED] y');
  });
});
