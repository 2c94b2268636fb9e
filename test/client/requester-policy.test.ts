import { describe, expect, it } from 'vitest';
import { Requester, type RequesterHooks, type RetryPolicy } from '../../src/client/requester.js';
import { emptyTimings, type Engine, type Outcome, type PreparedRequest } from '../../src/engines/types.js';
import type { AttemptRecord, CallRecord } from '../../src/metrics/metric-set.js';
import type { CallPolicy } from '../../src/shared/call-policy.js';

const request: PreparedRequest = { name: 'g', method: 'POST', path: '/v1/generate', headers: {}, stream: 'none' };
const noRetries: RetryPolicy = {
  max: 0,
  backoff: 'constant',
  baseMs: 1,
  maxBackoffMs: 1,
  jitter: 'none',
  respectRetryAfter: true,
  maxRetryAfterMs: 30_000,
  on: ['5xx', 'timeout'],
};

/** An engine that answers each send with the next scripted status after the scripted delay. */
function scriptedEngine(script: { status: number; afterMs: number; retryAfterMs?: number }[]): Engine & { sent: number } {
  const engine = {
    name: 'scripted',
    sent: 0,
    send(): Promise<Outcome> {
      const step = script[Math.min(engine.sent, script.length - 1)]!;
      engine.sent += 1;
      return new Promise((resolve) =>
        setTimeout(
          () =>
            resolve({
              status: step.status,
              timings: { ...emptyTimings(), socketUs: 0, writeUs: 10, ttfbUs: step.afterMs * 1000, totalUs: step.afterMs * 1000 },
              serviceUs: -1,
              queueUs: -1,
              retryAfterMs: step.retryAfterMs ?? -1,
            }),
          step.afterMs,
        ),
      );
    },
    close: async () => undefined,
  };
  return engine;
}

function recording(): RequesterHooks & { attempts: AttemptRecord[]; calls: CallRecord[]; counters: Record<string, number> } {
  const hooks = {
    attempts: [] as AttemptRecord[],
    calls: [] as CallRecord[],
    counters: {} as Record<string, number>,
    onAttempt: (_: string, a: AttemptRecord) => void hooks.attempts.push(a),
    onCall: (_: string, c: CallRecord) => void hooks.calls.push(c),
    onCounter: (_: string, name: string, by = 1) => void (hooks.counters[name] = (hooks.counters[name] ?? 0) + by),
    sleep: async () => true,
  };
  return hooks;
}

const isSuccess = (_: { name: string }, status: number) => status >= 200 && status < 300;
const requester = (engine: Engine, hooks: RequesterHooks, retries: RetryPolicy, policy?: CallPolicy) =>
  new Requester(engine, undefined, retries, isSuccess, hooks, () => 0.5, policy);

describe('the requester records calls beside attempts', () => {
  it('counts a waited-out 429 as an attempt and the call as succeeded after retries, with the wait inside it', async () => {
    const hooks = recording();
    await requester(
      scriptedEngine([
        { status: 429, afterMs: 1, retryAfterMs: 5 },
        { status: 200, afterMs: 1 },
      ]),
      hooks,
      noRetries,
    ).execute(request);
    expect(hooks.attempts.map((a) => a.status)).toEqual([429, 200]);
    expect(hooks.attempts[0]!.ok).toBe(false);
    expect(hooks.counters.rateLimited).toBe(1);
    expect(hooks.calls).toEqual([expect.objectContaining({ outcome: 'succeededAfterRetries', attempts: 2 })]);
  });

  it('ends a call whose last attempt failed as gave up, or timed out', async () => {
    const hooks = recording();
    await requester(scriptedEngine([{ status: 503, afterMs: 1 }]), hooks, { ...noRetries, max: 1 }).execute(request);
    expect(hooks.calls).toEqual([expect.objectContaining({ outcome: 'gaveUp', attempts: 2 })]);
    expect(hooks.counters.retries).toBe(1);
  });
});

describe('a live policy', () => {
  it('opens the breaker after the failure window and refuses calls without sending them', async () => {
    const hooks = recording();
    const engine = scriptedEngine([{ status: 503, afterMs: 0 }]);
    const client = requester(engine, hooks, noRetries, {
      breaker: { window: 4, failureRate: 0.5, minCalls: 4, openMs: 60_000, halfOpenProbes: 1 },
    });
    for (let i = 0; i < 10; i++) await client.execute(request);
    expect(engine.sent).toBe(4);
    expect(hooks.counters.breakerRejected).toBe(6);
    expect(hooks.calls.filter((c) => c.attempts === 0 && c.outcome === 'gaveUp')).toHaveLength(6);
  });

  it('hedges a slow attempt: the copy wins, both are recorded as load', async () => {
    const hooks = recording();
    const engine = scriptedEngine([
      { status: 200, afterMs: 80 },
      { status: 200, afterMs: 2 },
    ]);
    await requester(engine, hooks, noRetries, { hedge: { delayMs: 10 } }).execute(request);
    expect(hooks.counters.hedges).toBe(1);
    expect(hooks.calls).toHaveLength(1);
    expect(hooks.calls[0]!.latencyUs / 1000).toBeLessThan(60); // ~12 ms: the copy's answer, not the primary's 80
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hooks.attempts).toHaveLength(2); // the loser too, once it answered
  });

  it('cuts attempts at mean + k·σ of the recent window once it holds enough samples', async () => {
    const hooks = recording();
    const script = [...Array.from({ length: 4 }, () => ({ status: 200, afterMs: 5 })), { status: 200, afterMs: 60 }];
    const client = requester(scriptedEngine(script), hooks, noRetries, { adaptiveTimeout: { window: 4, k: 2, minSamples: 4 } });
    for (let i = 0; i < 5; i++) await client.execute(request);
    // four answers at ~5 ms: the fifth, at 60 ms, is past mean + 2σ and is cut as a timeout
    expect(hooks.calls.map((c) => c.outcome)).toEqual([
      'succeededFirstTime',
      'succeededFirstTime',
      'succeededFirstTime',
      'succeededFirstTime',
      'timedOut',
    ]);
    expect(hooks.attempts[4]!.errorKind).toBe('timeout_total');
  });

  it('cuts attempts at the timeout of the load level they are sent at, and lets them run above every band', async () => {
    const hooks = recording();
    let level = 10;
    const levelled = { ...hooks, loadLevel: () => level };
    const bands = [
      { upTo: 20, totalMs: 15 },
      { upTo: 50, totalMs: 80 },
    ];
    const client = requester(scriptedEngine([{ status: 200, afterMs: 40 }]), levelled, noRetries, { loadLevelTimeouts: bands });
    await client.execute(request); // level 10: cut at 15 ms
    level = 50; // the band's upTo is inclusive: 80 ms, and the 40 ms answer arrives
    await client.execute(request);
    level = 51; // above every band: no load-level timeout
    await client.execute(request);
    expect(hooks.calls.map((c) => c.outcome)).toEqual(['timedOut', 'succeededFirstTime', 'succeededFirstTime']);
    expect(hooks.attempts[0]!.errorMessage).toMatch(/^no answer within load level 10's timeout of 15 ms/);
  });

  it('with an adaptive and a load-level timeout, the lower one cuts', async () => {
    const hooks = recording();
    const levelled = { ...hooks, loadLevel: () => 5 };
    const script = [...Array.from({ length: 4 }, () => ({ status: 200, afterMs: 5 })), { status: 200, afterMs: 60 }];
    const client = requester(scriptedEngine(script), levelled, noRetries, {
      adaptiveTimeout: { window: 4, k: 2, minSamples: 4 },
      loadLevelTimeouts: [{ totalMs: 45 }],
    });
    for (let i = 0; i < 5; i++) await client.execute(request);
    // the four 5 ms answers are under both; the fifth is cut by the adaptive rule (~5 ms), below the band's 45 ms
    expect(hooks.calls.at(-1)!.outcome).toBe('timedOut');
    expect(hooks.attempts.at(-1)!.errorMessage).toMatch(/^no answer within the adaptive timeout of \d+ ms/);
  });
});
