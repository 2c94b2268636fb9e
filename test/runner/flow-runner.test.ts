import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { FlowRunner, type FlowContext } from '../../src/runner/flow-runner.js';
import { RequestPreparer } from '../../src/client/prepare.js';
import type { FlowPlan, StepPlan } from '../../src/client/flow-plan.js';
import type { Executed, ResponseJudge } from '../../src/client/requester.js';
import type { Outcome, PreparedRequest } from '../../src/engines/types.js';
import { emptyTimings } from '../../src/engines/types.js';
import { FlowSet } from '../../src/metrics/flow-set.js';
import type { CallbackReceiver } from '../../src/client/callback-receiver.js';

/** An answer the fake target gives: a status and a JSON body (or raw text). */
type Answer = { status?: number; json?: unknown; text?: string };

const step = (over: Partial<StepPlan> & { name: string }): StepPlan => ({
  method: 'GET',
  path: `/${over.name}`,
  headers: {},
  stream: 'none',
  weight: 1,
  ...over,
});

const pollOf = (name: string, over: Partial<NonNullable<StepPlan['poll']>> = {}): NonNullable<StepPlan['poll']> => ({
  request: { name: `${name}.poll`, method: 'GET', path: '/jobs/{{ jobId }}', headers: {}, stream: 'none', weight: 1, readResponse: true },
  everyMs: 1,
  timeoutMs: 10_000,
  until: { json: '$.status', in: ['done', 'failed'], failed: ['failed'] },
  ...over,
});

/**
 * A worker without sockets: each request name answers from its own script (the last answer repeats), sleeps are
 * real timers (the flows here sleep a few ms) that report a stop, and every request sent is kept to be looked at.
 */
function harness(flows: FlowPlan[], scripts: Record<string, Answer[]>, options: { stopAfterRequests?: number } = {}) {
  const sent: PreparedRequest[] = [];
  const attempts: { name: string; ok: boolean; kind?: string; reason?: string }[] = [];
  const flowSet = new FlowSet(flows.filter((f) => !f.implicit).map((f) => f.name));
  const context: FlowContext = {
    stopping: false,
    flows: flowSet,
    random: () => 0.5,
    sleep: (ms: number) => new Promise((resolve) => setTimeout(() => resolve(!context.stopping), ms)),
    receiver: () => Promise.reject<CallbackReceiver>(new Error('no callbacks here')),
    execute: (request: PreparedRequest, _intended: number | undefined, judge?: ResponseJudge): Promise<Executed> => {
      sent.push(request);
      const script = scripts[request.name] ?? [{}];
      const answer = script.length > 1 ? script.shift()! : script[0]!;
      const status = answer.status ?? 200;
      const body = Buffer.from(answer.text ?? JSON.stringify(answer.json ?? {}));
      const outcome: Outcome = {
        status,
        timings: { ...emptyTimings(), totalUs: 1000 },
        serviceUs: -1,
        queueUs: -1,
        retryAfterMs: -1,
        ...(request.readResponse ? { response: { head: `HTTP/1.1 ${status} OK`, body } } : {}),
      };
      let ok = status < 400;
      const judged = ok && judge ? judge(outcome) : undefined;
      if (judged) ok = false;
      attempts.push({ name: request.name, ok, ...(judged ? { kind: judged.kind, reason: judged.reason } : {}) });
      if (options.stopAfterRequests !== undefined && sent.length >= options.stopAfterRequests)
        (context as { stopping: boolean }).stopping = true;
      return Promise.resolve({ ok, outcome, sentAtMs: performance.now() });
    },
  };
  const plans = flows.flatMap((f) => f.steps);
  const runner = new FlowRunner(
    context,
    new RequestPreparer(
      plans,
      () => undefined,
      () => 0.5,
      {},
    ),
    flows,
  );
  return { runner, sent, attempts, flows: flowSet };
}

const jobFlow = (poll = pollOf('submit')): FlowPlan => ({
  name: 'job',
  weight: 1,
  implicit: false,
  steps: [
    step({ name: 'submit', method: 'POST', path: '/generate', capture: { jobId: '$.id' }, readResponse: true, poll }),
    step({ name: 'fetch', path: '/results/{{ jobId }}' }),
  ],
});

describe('a flow iteration', () => {
  it('carries a captured value into the next step and polls until the job is done', async () => {
    const flow = jobFlow();
    const { runner, sent, flows } = harness([flow], {
      submit: [{ status: 202, json: { id: 'j-7' } }],
      'submit.poll': [{ json: { status: 'queued' } }, { json: { status: 'running' } }, { json: { status: 'done' } }],
    });
    await runner.runIteration(flow, { vu: 1, iteration: 0 });
    expect(sent.map((r) => `${r.name} ${r.path}`)).toEqual([
      'submit /generate',
      'submit.poll /jobs/j-7',
      'submit.poll /jobs/j-7',
      'submit.poll /jobs/j-7',
      'fetch /results/j-7',
    ]);
    const snapshot = flows.snapshot();
    expect(snapshot.flows.job).toMatchObject({ iterations: 1, completed: 1, failed: 0 });
    expect(snapshot.jobs.submit).toMatchObject({ submitted: 1, done: 1, polls: 3, failed: 0, expired: 0, lost: 0 });
    expect(snapshot.jobs.submit!.histograms.completion).toBeDefined();
  });

  it.each([
    // [what the target does, the job's end, the attempts' failures, requests sent]
    ['answers without the captured id', { submit: [{ status: 202, json: { jobid: 'x' } }] }, undefined, 'capture', 1],
    ['answers the submit with HTML', { submit: [{ status: 202, text: '<html>' }] }, undefined, 'capture', 1],
    ['fails the submit', { submit: [{ status: 500 }] }, undefined, undefined, 1],
    ['ends the job failed', { submit: [{ json: { id: 'a' } }], 'submit.poll': [{ json: { status: 'failed' } }] }, 'failed', undefined, 2],
    ['loses the job (404)', { submit: [{ json: { id: 'a' } }], 'submit.poll': [{ status: 404 }] }, 'lost', undefined, 2],
    ['stops saying the state', { submit: [{ json: { id: 'a' } }], 'submit.poll': [{ json: { state: 'done' } }] }, 'lost', 'capture', 2],
  ] as const)('ends the iteration as failed when the target %s, and sends no later step', async (_what, script, jobEnd, kind, requests) => {
    const flow = jobFlow();
    const { runner, sent, attempts, flows } = harness([flow], structuredClone(script) as unknown as Record<string, Answer[]>);
    expect(await runner.runIteration(flow, { vu: 1, iteration: 0 })).toBe(0);
    expect(sent).toHaveLength(requests);
    expect(sent.some((r) => r.name === 'fetch')).toBe(false);
    const snapshot = flows.snapshot();
    expect(snapshot.flows.job).toMatchObject({ iterations: 1, completed: 0, failed: 1, failedAt: { submit: 1 } });
    if (jobEnd) expect(snapshot.jobs.submit![jobEnd]).toBe(1);
    else expect(snapshot.jobs.submit?.submitted ?? 0).toBe(0);
    if (kind) expect(attempts.find((a) => !a.ok)).toMatchObject({ kind });
  });

  it('names the capture and its path when it finds nothing', async () => {
    const flow = jobFlow();
    const { runner, attempts } = harness([flow], { submit: [{ json: { other: 1 } }] });
    await runner.runIteration(flow, { vu: 1, iteration: 0 });
    expect(attempts[0]).toMatchObject({ ok: false, kind: 'capture', reason: 'capture jobId: $.id found nothing in the response' });
  });

  it('lets a job expire when no final state comes before its timeout', async () => {
    const flow = jobFlow(pollOf('submit', { everyMs: 5, timeoutMs: 12 }));
    const { runner, sent, flows } = harness([flow], { submit: [{ json: { id: 'a' } }], 'submit.poll': [{ json: { status: 'running' } }] });
    await runner.runIteration(flow, { vu: 1, iteration: 0 });
    // Polls at +5 and +10 ms; the next tick (+15) is past the timeout.
    expect(sent.filter((r) => r.name === 'submit.poll').length).toBeLessThanOrEqual(2);
    expect(flows.snapshot().jobs.submit).toMatchObject({ submitted: 1, expired: 1, done: 0 });
  });

  it('counts an iteration the run stopped as interrupted, with no think after it', async () => {
    const flow = { ...jobFlow(), think: { minMs: 100, maxMs: 100 } };
    const { runner, flows } = harness(
      [flow],
      { submit: [{ json: { id: 'a' } }], 'submit.poll': [{ json: { status: 'running' } }] },
      { stopAfterRequests: 2 },
    );
    expect(await runner.runIteration(flow, { vu: 1, iteration: 0 })).toBe(0);
    expect(flows.snapshot().flows.job).toMatchObject({ iterations: 1, interrupted: 1, completed: 0, failed: 0 });
    expect(flows.snapshot().jobs.submit).toMatchObject({ interrupted: 1 });
  });

  it.each([
    // [last step think, flow think, pause after the iteration]: the last step's pause, then the flow's
    [undefined, undefined, 0],
    [{ minMs: 300, maxMs: 300 }, undefined, 300],
    [undefined, { minMs: 200, maxMs: 1000 }, 600],
    [{ minMs: 300, maxMs: 300 }, { minMs: 500, maxMs: 500 }, 800],
  ])('returns the pause before the next iteration: step think %j, flow think %j → %i ms', async (stepThink, flowThink, pause) => {
    const flow: FlowPlan = {
      name: 'browse',
      weight: 1,
      implicit: false,
      ...(flowThink ? { think: flowThink } : {}),
      steps: [step({ name: 'home', think: { minMs: 50, maxMs: 50 } }), step({ name: 'item', ...(stepThink ? { think: stepThink } : {}) })],
    };
    const { runner, flows } = harness([flow], {});
    expect(await runner.runIteration(flow, { vu: 1, iteration: 0 })).toBe(pause);
    expect(flows.snapshot().flows.browse).toMatchObject({ completed: 1 });
  });

  it('records no flow metrics for a requests: item (an implicit one-step flow)', async () => {
    const flow: FlowPlan = { name: 'generate', weight: 1, implicit: true, steps: [step({ name: 'generate' })] };
    const { runner, sent, flows } = harness([flow], {});
    await runner.runIteration(flow, { vu: 1, iteration: 0 });
    expect(sent).toHaveLength(1);
    expect(flows.snapshot()).toEqual({ flows: {}, jobs: {} });
  });
});
