import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMockServer } from '../../mock-server/index.js';
import { runYaml } from '../helpers/run.js';

/**
 * Async jobs against the bundled mock: submit with async: true, capture the job id, then poll it (or wait for the
 * callback) to the end. The mock's own record of the service time it injected is the ground truth the measured
 * completion is held against. One mock for the file; each run is a couple of seconds.
 */
const POLL_EVERY_MS = 50;
let server: RunningMockServer;

beforeAll(async () => {
  server = await startMockServer({
    profile: {
      name: 'async-jobs',
      auth: { tokenTtlSeconds: 3600, latency: 0 },
      capacity: { slots: 'unlimited' },
      generate: { latency: { type: 'uniform', min: '200ms', max: '600ms' }, ttft: '20ms', interToken: '5ms' },
    } as never,
    seed: 5,
  });
});
afterAll(() => server.close());

/** The submitting step's request, indented as a step's fields. */
const SUBMIT = `        method: POST
        path: /v1/generate
        json: { prompt: "write a haiku", max_tokens: 8, async: true }`;

function scenario(flowSteps: string): string {
  return `name: async-flow
target:
  url: "${server.url}"
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
flows:
  - name: job
    steps:
${flowSteps}
load:
  closed:
    - { hold: 2s, concurrency: 6 }
warmup: 0
workers: 1
thresholds: ["p99(flow{name=job}) < 5s", "p50(completion{name=submit}) < 2s"]
`;
}

describe('an async flow against the mock', () => {
  it('polls each job to the end and measures its completion as the mock served it', async () => {
    server.resetStats();
    const result = await runYaml(
      scenario(`      - name: submit
${SUBMIT}
        capture: { jobId: "$.id" }
        poll:
          path: "/v1/jobs/{{ jobId }}"
          every: ${POLL_EVERY_MS}ms
          until: { json: "$.status", in: [done, failed], failed: [failed] }
          timeout: 10s`),
    );
    const stats = server.stats();
    const job = result.jobs?.submit;
    expect(job).toBeDefined();
    expect(job!.submitted).toBeGreaterThan(10);
    expect(job!.done).toBe(job!.submitted - job!.interrupted);
    expect(job!.expired + job!.lost + job!.failed).toBe(0);
    // Completion is known only when a poll sees the job done: it reads late by up to one poll interval (plus a
    // poll's round trip), never early. The mock's injected service p50 is the truth; 10% covers the sample's spread.
    const truthP50 = stats.service.p50Ms;
    // Every job's completion holds its whole service time, so the median cannot read below the mock's (0.1%: the
    // histograms' three significant digits).
    expect(job!.completion.p50).toBeGreaterThanOrEqual(truthP50 * 0.999);
    expect(job!.completion.p50).toBeLessThanOrEqual(truthP50 * 1.1 + POLL_EVERY_MS);
    expect(job!.polls).toBe(result.requestsByName['submit.poll']!.requests);
    expect(job!.pollsPerJob!.mean).toBeGreaterThan(1);
    expect(JSON.stringify(stats.byRoute)).not.toMatch(/"404"/);
    expect(result.requestsByName.submit!.errors).toBe(0);
    expect(result.flows?.job?.completed).toBe(job!.done);
    expect(result.flows!.job!.latency.p50).toBeGreaterThanOrEqual(job!.completion.p50 * 0.9);
  });

  it("waits for each job's callback and measures its completion as the mock served it", async () => {
    server.resetStats();
    const result = await runYaml(
      scenario(`      - name: submit
${SUBMIT}
        callback: { timeout: 10s, failed: { json: "$.status", in: [failed] } }`),
    );
    const stats = server.stats();
    const job = result.jobs?.submit;
    expect(job?.mode).toBe('callback');
    expect(job!.submitted).toBeGreaterThan(10);
    expect(job!.done).toBe(job!.submitted - job!.interrupted);
    expect(job!.expired + job!.failed + job!.lost).toBe(0);
    expect(job!.polls).toBe(0);
    // The callback is posted the moment the job ends: completion is its service time plus two loopback hops, so
    // it can read neither below the mock's median nor much above it (10%: the hops and the thread switches).
    const truthP50 = stats.service.p50Ms;
    expect(job!.completion.p50).toBeGreaterThanOrEqual(truthP50 * 0.999);
    expect(job!.completion.p50).toBeLessThanOrEqual(truthP50 * 1.1);
    expect(result.flows?.job?.completed).toBe(job!.done);
  });
});
