import { describe, expect, it } from 'vitest';
import { Requester, type RetryPolicy } from '../../src/client/requester.js';
import { compileResponseRules } from '../../src/client/response-rules.js';
import { checkSchema } from '../../src/scenario/check-schema.js';
import { emptyTimings, type Engine, type Outcome, type PreparedRequest } from '../../src/engines/types.js';
import type { AttemptRecord } from '../../src/metrics/metric-set.js';

const NO_RETRIES: RetryPolicy = {
  max: 0,
  backoff: 'constant',
  baseMs: 0,
  maxBackoffMs: 0,
  jitter: 'none',
  respectRetryAfter: false,
  maxRetryAfterMs: 0,
  on: [],
};
const request: PreparedRequest = {
  name: 'generate',
  method: 'POST',
  path: '/v1/generate',
  headers: {},
  stream: 'none',
  readResponse: true,
};

/** One attempt through the requester, against an engine that answers `status` with `body`. */
async function attemptOf(
  status: number,
  body: string,
  plan: { checks?: Record<string, unknown>[]; usage?: boolean | string },
  contentType = 'application/json',
): Promise<AttemptRecord> {
  const timings = { ...emptyTimings(), writeUs: 10, ttfbUs: 800, totalUs: 1000 };
  const outcome: Outcome = {
    status,
    timings,
    serviceUs: -1,
    queueUs: -1,
    retryAfterMs: -1,
    response: { head: `HTTP/1.1 ${status} X\r\ncontent-type: ${contentType}`, body: Buffer.from(body) },
  };
  const engine: Engine = { name: 'fake', send: () => Promise.resolve(outcome), close: () => Promise.resolve() };
  const rules = compileResponseRules(
    [{ name: 'generate', checks: plan.checks?.map((c) => checkSchema.parse(c)), usage: plan.usage }],
    '$.usage.completion_tokens',
  );
  const attempts: AttemptRecord[] = [];
  const requester = new Requester(
    engine,
    undefined,
    NO_RETRIES,
    (_r, s) => s >= 200 && s < 300,
    {
      onAttempt: (_name, attempt) => attempts.push(attempt),
      onCounter: () => undefined,
      onCall: () => undefined,
      sleep: () => Promise.resolve(true),
      redact: (text) => text.replaceAll('s3cr3t', '[redacted]'),
    },
    () => 0.5,
    undefined,
    rules,
  );
  await requester.execute(request);
  expect(attempts).toHaveLength(1);
  return attempts[0]!;
}

describe('the requester runs checks and reads usage on complete responses', () => {
  it('fails an accepted response whose check fails as kind check, with the reason and where', async () => {
    const attempt = await attemptOf(200, '{"ok":false}', { checks: [{ status: 200 }, { json: '$.ok', equals: true }] });
    expect(attempt).toMatchObject({ ok: false, errorKind: 'check', errorMessage: '$.ok is false, expected true (POST /v1/generate)' });
    expect(attempt.checks).toEqual([{ label: 'status 200' }, { label: '$.ok == true', failure: '$.ok is false, expected true' }]);
  });

  it('passes a response whose checks all pass', async () => {
    const attempt = await attemptOf(200, '{"ok":true}', { checks: [{ json: '$.ok', equals: true }] });
    expect(attempt).toMatchObject({ ok: true, errorKind: undefined, checks: [{ label: '$.ok == true' }] });
  });

  it('keeps a rejected status as kind status, and still counts the checks it ran', async () => {
    const attempt = await attemptOf(503, '{"ok":false}', { checks: [{ status: 200 }] });
    expect(attempt).toMatchObject({
      ok: false,
      errorKind: 'status',
      checks: [{ label: 'status 200', failure: 'status 503, expected 200' }],
    });
  });

  it('scrubs secrets the target echoes into a check failure', async () => {
    const attempt = await attemptOf(200, '{"echo":"Bearer s3cr3t"}', { checks: [{ json: '$.echo', equals: 'ok' }] });
    expect(attempt.checks![0]!.failure).toBe('$.echo is "Bearer [redacted]", expected "ok"');
    expect(attempt.errorMessage).not.toContain('s3cr3t');
  });

  it.each([
    ['the default path', true, '{"usage":{"completion_tokens":12}}', 'application/json', 12],
    ['another path', '$.meta.tokens', '{"meta":{"tokens":5}}', 'application/problem+json', 5],
    ['a body that is not called JSON', true, '{"usage":{"completion_tokens":12}}', 'text/plain', undefined],
    ['a value that is not a count', true, '{"usage":{"completion_tokens":"12"}}', 'application/json', undefined],
    ['a body that does not parse', true, '{"usage":', 'application/json', undefined],
  ])('reads usage from %s', async (_what, usage, body, type, tokens) => {
    const attempt = await attemptOf(200, body, { usage }, type);
    expect(attempt.ok).toBe(true);
    expect(attempt.usageTokens).toBe(tokens);
  });
});
