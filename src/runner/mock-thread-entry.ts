import { parentPort, workerData } from 'node:worker_threads';
import { startDelayProxy, startMockServer } from '../../mock-server/index.js';
import type { MockThreadOptions } from './mock-thread.js';

/** Runs the bundled mock server, and its delaying proxy when asked, on their own thread; see mock-thread.ts. */
const port = parentPort!;
const options = workerData as MockThreadOptions;
try {
  const server = await startMockServer(options.server);
  const proxy = options.networkDelay
    ? await startDelayProxy({ targetHost: server.host, targetPort: server.port, host: server.host, port: 0, ...options.networkDelay })
    : undefined;
  port.on('message', (message: { type: 'close' }) => {
    if (message.type !== 'close') return;
    void (async () => {
      await proxy?.close();
      await server.close();
      port.postMessage({ type: 'closed' });
      port.close();
    })();
  });
  const front = proxy ?? server;
  port.postMessage({ type: 'listening', url: front.url, host: front.host, port: front.port });
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).message, code: (error as { code?: string }).code });
}
