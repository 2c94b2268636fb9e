import type { MockServerOptions } from '../../mock-server/index.js';
import { entryUrl, startWorker } from './spawn.js';

export interface MockThreadOptions {
  server: MockServerOptions;
  /** put the delaying proxy in front, on the same thread */
  networkDelay?: { oneWayDelayMs: number; jitterMs: number; seed: number };
}

export interface ThreadedMock {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export class MockStartError extends Error {
  readonly code: string;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'MockStartError';
    this.code = code ?? 'E_MOCK_START';
  }
}

/**
 * Starts the bundled mock server (and its delaying proxy) on a thread of its own. In the coordinator's
 * thread they would share an event loop with merging and progress output, and every millisecond spent
 * there would be added to the latency the run measures; on their own thread, the target's timing is only
 * the profile's. The returned address is the proxy's when there is one.
 */
export function startMockThread(options: MockThreadOptions): Promise<ThreadedMock> {
  const worker = startWorker(entryUrl('mock-thread-entry'), options);
  return new Promise((resolve, reject) => {
    worker.once('error', (error) => reject(new MockStartError(`mock server thread failed: ${error.message}`)));
    worker.once('message', (message: { type: string; url: string; host: string; port: number; message?: string; code?: string }) => {
      if (message.type !== 'listening') {
        void worker.terminate();
        reject(new MockStartError(message.message ?? 'mock server did not start', message.code));
        return;
      }
      resolve({
        url: message.url,
        host: message.host,
        port: message.port,
        close: () =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => void worker.terminate().then(() => done()), 3000);
            worker.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            worker.postMessage({ type: 'close' });
          }),
      });
    });
  });
}
