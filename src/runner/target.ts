import type { Scenario } from '../scenario/types.js';
import { startDelayProxy, startMockServer } from '../../mock-server/index.js';

export interface StartedTarget {
  /** where requests go (the proxy when network delay is injected) */
  url: string;
  /** what the result records as the target */
  publicUrl: string;
  mock?: { profile: string; seed: number };
  close(): Promise<void>;
}

/**
 * Resolves a scenario's target: a URL as given, or the bundled mock server started in-process on a free
 * loopback port (behind its delaying proxy when the scenario injects network delay).
 */
export async function startTarget(target: Scenario['target']): Promise<StartedTarget> {
  if (target.url) {
    const url = target.url.replace(/\/$/, '');
    return { url, publicUrl: url, close: async () => undefined };
  }
  const mock = target.mock!;
  const server = await startMockServer({ port: 0, host: '127.0.0.1', profile: mock.profile, seed: mock.seed });
  if (mock.networkDelay === undefined) {
    return { url: server.url, publicUrl: 'mock', mock: { profile: mock.profile, seed: mock.seed }, close: () => server.close() };
  }
  const proxy = await startDelayProxy({
    targetHost: server.host,
    targetPort: server.port,
    oneWayDelayMs: mock.networkDelay,
    jitterMs: mock.networkJitter ?? 0,
    seed: mock.seed,
    port: 0,
    host: '127.0.0.1',
  });
  return {
    url: proxy.url,
    publicUrl: 'mock',
    mock: { profile: mock.profile, seed: mock.seed },
    close: async () => {
      await proxy.close();
      await server.close();
    },
  };
}
