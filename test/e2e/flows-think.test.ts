import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { startMockServer, type RunningMockServer } from '../../mock-server/index.js';
import { runYaml } from '../helpers/run.js';

let server: RunningMockServer;
beforeAll(async () => {
  server = await startMockServer({ profile: 'fixed-20ms', seed: 2 });
});
afterAll(() => server.close());

describe("think time and the run's stop", () => {
  it('never holds a run past its stop: a stop wakes every user thinking between steps, their iterations interrupted', async () => {
    const controller = new AbortController();
    const startedAt = performance.now();
    const result = await runYaml(
      `name: thinking
target: { url: "${server.url}" }
flows:
  - name: browse
    steps:
      - { name: home, path: /healthz, think: 30s }
      - { name: again, path: /healthz }
load: { closed: [{ hold: 20s, concurrency: 4 }] }
warmup: 0
workers: 1
`,
      { signal: controller.signal, onLoadStarted: () => setTimeout(() => controller.abort(), 500) },
    );
    const elapsedMs = performance.now() - startedAt;
    // Each user sent its first step and then slept 30 s: the stop at 0.5 s ends the run within the stop grace
    // (1 s) plus worker start-up and teardown, far below the think time or the 20 s hold.
    expect(elapsedMs).toBeLessThan(8_000);
    expect(result.interrupted).toBe(true);
    expect(result.requestsByName.home?.requests).toBe(4);
    expect(result.requestsByName.again).toBeUndefined();
    expect(result.flows?.browse).toMatchObject({ iterations: 4, interrupted: 4, completed: 0 });
  });

  it('bounds the pause after an iteration by the end of the load curve', async () => {
    const startedAt = performance.now();
    const result = await runYaml(`name: think-after
target: { url: "${server.url}" }
flows:
  - name: browse
    think: 30s
    steps:
      - { name: home, path: /healthz }
load: { closed: [{ hold: 1s, concurrency: 2 }] }
warmup: 0
workers: 1
`);
    expect(performance.now() - startedAt).toBeLessThan(8_000);
    expect(result.interrupted).toBe(false);
    expect(result.flows?.browse).toMatchObject({ iterations: 2, completed: 2 });
  });
});
