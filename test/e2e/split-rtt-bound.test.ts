import { describe, expect, it } from 'vitest';
import { runYaml } from '../helpers/run.js';
import { analyze } from '../../src/analysis/analyze.js';

describe('split without server timing', () => {
  it('bounds the network share by the idle probe’s round trip and says so', async () => {
    // The mock sends Server-Timing "app", but this scenario reads a metric it never sends: as if the target
    // reported nothing about its own time.
    const result = await runYaml(`name: no-server-timing
target: { mock: { profile: fixed-20ms } }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests: [{ name: g, method: POST, path: /v1/generate, json: { prompt: p, max_tokens: 4, temperature: 0 } }]
serverTiming: { metric: not-sent }
load: { closed: [{ hold: 2s, concurrency: 2 }] }
workers: 1
# enough to warm the JIT and the pool before latency is compared (the 2 s default is for runs people read)
warmup: 500ms
`);
    expect(result.histograms.service).toBeUndefined();
    expect(result.probe?.samples).toBe(5);
    // A loopback handshake: well under a millisecond.
    expect(result.probe!.rttMs.p50).toBeLessThan(1);
    const { split } = analyze(result);
    if (split.method === 'none') throw new Error(`no split: ${split.reason}`);
    expect(split.method).toBe('rtt-bound');
    expect(split.rtt).toEqual({ source: 'idle-probe', ms: result.probe!.rttMs.p50 });
    expect(split.network.p50).toBe(result.probe!.rttMs.p50);
    // The rest of the wait to the first byte is attributed to the service: the injected 20 ms plus a little.
    expect(split.service.p50).toBeGreaterThanOrEqual(19.5);
    expect(split.service.p50).toBeLessThan(22);
  });
});
