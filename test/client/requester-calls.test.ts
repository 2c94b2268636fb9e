import { describe, expect, it } from 'vitest';
import { Requester, type ResponseJudge, type RetryPolicy } from '../../src/client/requester.js';
import type { OAuth2Session } from '../../src/client/oauth2.js';
import { emptyTimings, type Engine, type Outcome, type PreparedRequest } from '../../src/engines/types.js';
import type { ErrorKind } from '../../src/metrics/vocabulary.js';

/**
 * A call without a token or a policy takes a shorter path through the requester (its first attempt runs without
 * an async frame); a call with a token takes the whole loop. The same answers must read the same either way:
 * each case runs both, against the same script of answers, and the hooks must hear the same story.
 */

const RETRIES: RetryPolicy = {
  max: 2,
  backoff: 'constant',
  baseMs: 0,
  maxBackoffMs: 0,
  jitter: 'none',
  respectRetryAfter: true,
  maxRetryAfterMs: 1_000,
  on: ['5xx', '429', 'connect'],
};

const request: PreparedRequest = { name: 'generate', method: 'POST', path: '/v1/generate', headers: {}, stream: 'none' };

/** An answer: a status, or a failure before one. */
type Answer = number | ErrorKind;

function outcomeOf(answer: Answer): Outcome {
  const timings = { ...emptyTimings(), writeUs: 10, ttfbUs: 800, totalUs: 1_000 };
  if (typeof answer === 'number') return { status: answer, timings, serviceUs: -1, queueUs: -1, retryAfterMs: answer === 429 ? 0 : -1 };
  return {
    status: 0,
    errorKind: answer,
    errorMessage: `failed: ${answer}`,
    timings: emptyTimings(),
    serviceUs: -1,
    queueUs: -1,
    retryAfterMs: -1,
  };
}

/** Runs one call against the scripted answers; returns what the hooks heard, in order, and what the caller got. */
async function story(answers: readonly Answer[], withToken: boolean, judge?: ResponseJudge): Promise<string[]> {
  const script = [...answers];
  const heard: string[] = [];
  const engine: Engine = {
    name: 'scripted',
    send: (_request, authorization) => {
      if (withToken) expect(authorization).toBe('Bearer t0k3n');
      const next = script.shift();
      if (next === undefined) throw new Error('the call sent more attempts than the script has answers');
      return Promise.resolve(outcomeOf(next));
    },
    close: () => Promise.resolve(),
  };
  const auth = withToken
    ? ({ token: () => Promise.resolve('t0k3n'), renew: () => Promise.resolve() } as unknown as OAuth2Session)
    : undefined;
  const requester = new Requester(
    engine,
    auth,
    RETRIES,
    (_r, status) => status >= 200 && status < 300,
    {
      onAttempt: (_name, attempt) => heard.push(`attempt ${attempt.status} ${attempt.ok ? 'ok' : attempt.errorKind}`),
      onCounter: (_name, counter, by = 1) => heard.push(`${counter} +${by}`),
      onCall: (_name, call) => heard.push(`call ${call.outcome} after ${call.attempts}`),
      sleep: () => Promise.resolve(true),
    },
    () => 0.5,
  );
  const executed = await requester.execute(request, undefined, judge);
  heard.push(`caller: ${executed.ok ? 'ok' : 'failed'}, last status ${executed.outcome?.status ?? '-'}`);
  expect(script).toEqual([]);
  return heard;
}

const CASES: { name: string; answers: Answer[]; expected: string[] }[] = [
  {
    name: 'a first success',
    answers: [200],
    expected: ['attempt 200 ok', 'call succeededFirstTime after 1', 'caller: ok, last status 200'],
  },
  {
    name: 'a 5xx retried to a success',
    answers: [503, 200],
    expected: ['attempt 503 status', 'retries +1', 'attempt 200 ok', 'call succeededAfterRetries after 2', 'caller: ok, last status 200'],
  },
  {
    name: 'a 429 waited out, then a success',
    answers: [429, 200],
    expected: [
      'attempt 429 status',
      'rateLimited +1',
      'attempt 200 ok',
      'call succeededAfterRetries after 2',
      'caller: ok, last status 200',
    ],
  },
  {
    name: 'a refused connection retried until the retries run out',
    answers: ['refused', 'refused', 'refused'],
    expected: [
      'attempt 0 refused',
      'retries +1',
      'attempt 0 refused',
      'retries +1',
      'attempt 0 refused',
      'call gaveUp after 3',
      'caller: failed, last status 0',
    ],
  },
  {
    name: 'a 4xx, not retried',
    answers: [404],
    expected: ['attempt 404 status', 'call gaveUp after 1', 'caller: failed, last status 404'],
  },
  {
    name: 'a reset, not among the kinds retried',
    answers: ['reset'],
    expected: ['attempt 0 reset', 'call gaveUp after 1', 'caller: failed, last status 0'],
  },
];

describe('a call reads the same on the short path (no token, no policy) and the whole loop', () => {
  for (const { name, answers, expected } of CASES) {
    it(`${name}`, async () => {
      const short = await story(answers, false);
      const whole = await story(answers, true);
      expect(short).toEqual(expected);
      expect(whole).toEqual(expected);
    });
  }

  it('a judge that rejects a success fails the attempt under its kind, never retried', async () => {
    const judge: ResponseJudge = () => ({ kind: 'capture', reason: 'no $.id in the body' });
    const expected = ['attempt 200 capture', 'call gaveUp after 1', 'caller: failed, last status 200'];
    expect(await story([200], false, judge)).toEqual(expected);
    expect(await story([200], true, judge)).toEqual(expected);
  });
});
