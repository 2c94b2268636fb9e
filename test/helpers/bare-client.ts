import { Worker } from 'node:worker_threads';

/**
 * The machine's own floor: a bare node:http keep-alive client on a worker thread (as tailscope's requests
 * are), sending the same request for a while and measuring, per response, total time minus what the
 * server reported (Server-Timing app + queue). Returns that overhead's median in ms.
 */
export function bareClientOverheadMs(url: string, token: string, body: string, concurrency: number, durationMs: number): Promise<number> {
  const code = `
    const http = require('node:http');
    const { parentPort, workerData } = require('node:worker_threads');
    const { url, token, body, concurrency, durationMs } = workerData;
    const target = new URL(url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const overheads = [];
    const one = () => new Promise((resolve) => {
      const startedAt = performance.now();
      const req = http.request({ hostname: target.hostname, port: target.port, path: '/v1/generate', method: 'POST', agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer ' + token } }, (res) => {
        const timing = String(res.headers['server-timing']);
        const app = Number(/app;dur=([\\d.]+)/.exec(timing)[1]);
        const queue = Number(/queue;dur=([\\d.]+)/.exec(timing)[1]);
        res.resume();
        res.on('end', () => { overheads.push(performance.now() - startedAt - app - queue); resolve(); });
      });
      req.end(body);
    });
    const end = performance.now() + durationMs;
    Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < end) await one(); })).then(() => {
      overheads.sort((a, b) => a - b);
      agent.destroy();
      parentPort.postMessage(overheads[Math.floor(overheads.length / 2)]);
    });
  `;
  const worker = new Worker(code, { eval: true, workerData: { url, token, body, concurrency, durationMs } });
  return new Promise((resolve, reject) => {
    worker.once('message', (median: number) => {
      void worker.terminate();
      resolve(median);
    });
    worker.once('error', reject);
  });
}
