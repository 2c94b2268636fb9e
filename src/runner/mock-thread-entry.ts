import { parentPort, workerData } from 'node:worker_threads';
import { startMockServer, type MockServerOptions } from '../../mock-server/index.js';

/** Runs the bundled mock server on its own thread; see mock-thread.ts. */
const port = parentPort!;
try {
  const server = await startMockServer(workerData as MockServerOptions);
  port.on('message', (message: { type: 'close' | 'stats' }) => {
    if (message.type === 'stats') port.postMessage({ type: 'stats', stats: server.stats() });
    if (message.type === 'close') {
      void server.close().then(() => {
        port.postMessage({ type: 'closed' });
        port.close();
      });
    }
  });
  port.postMessage({ type: 'listening', url: server.url, host: server.host, port: server.port });
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).message, code: (error as { code?: string }).code });
}
