import { performance } from 'node:perf_hooks';
import type { ConnectionOptions } from 'node:tls';
import type { ErrorKind } from '../metrics/vocabulary.js';
import { failedAttempt } from '../metrics/attempt.js';
import { classifyError } from './classify.js';
import { serverTimingMs, durationHeaderMs } from './server-timing.js';
import type { FixedLoadHooks, FixedLoadStretch, StopSignal } from './types.js';

export interface FixedLoadOptions extends FixedLoadStretch {
  baseUrl: URL;
  timeoutMs: number;
  serverTiming: { header: string; metric: string; queueMetric: string };
  tls?: ConnectionOptions;
}

/** The part of an autocannon HTTP client this driver listens to (its published types predate v9). */
interface CannonClient {
  on(event: 'request', listener: () => void): void;
  on(event: 'headers', listener: (info: { statusCode: number; headers: string[] }) => void): void;
  on(event: 'response', listener: (status: number, bytes: number, responseTimeMs: number) => void): void;
  on(event: 'connError', listener: (error: NodeJS.ErrnoException) => void): void;
  on(event: 'timeout', listener: () => void): void;
}

/**
 * The autocannon engine: for stages of fixed concurrency that need the last bit of throughput. Autocannon
 * keeps one request in flight per connection and writes pre-encoded bytes, so it sends faster than the
 * phase-timed client; it gives no DNS/connect/TLS split, so results name the engine that ran each stage.
 * Every response is still recorded per request in µs from autocannon's own hrtime duration (send → last
 * byte), with the first byte and Server-Timing read from its header event.
 */
export async function driveFixedLoad(options: FixedLoadOptions, hooks: FixedLoadHooks, stopSignal: StopSignal): Promise<void> {
  const autocannon = await loadAutocannon();
  const { request } = options;
  const headerName = options.serverTiming.header.toLowerCase();
  const isServerTiming = headerName === 'server-timing';
  // autocannon computes Content-Length itself and expects the body as a string.
  const { 'content-length': _length, ...headers } = request.headers;
  void _length;
  return new Promise<void>((resolve, reject) => {
    const setupClient = (raw: unknown) => {
      const client = raw as CannonClient;
      let sentAt = 0;
      let ttfbUs = -1;
      let serviceUs = -1;
      let queueUs = -1;
      client.on('request', () => {
        sentAt = performance.now();
        ttfbUs = -1;
        hooks.onSent();
      });
      client.on('headers', (info) => {
        ttfbUs = (performance.now() - sentAt) * 1000;
        serviceUs = -1;
        queueUs = -1;
        // Raw headers arrive as a flat [name, value, name, value, …] array.
        const flat = info.headers;
        for (let i = 0; i + 1 < flat.length; i += 2) {
          if (flat[i]!.toLowerCase() !== headerName) continue;
          const serviceMs = isServerTiming ? serverTimingMs(flat[i + 1], options.serverTiming.metric) : durationHeaderMs(flat[i + 1]);
          const queueMs = isServerTiming ? serverTimingMs(flat[i + 1], options.serverTiming.queueMetric) : -1;
          serviceUs = serviceMs >= 0 ? serviceMs * 1000 : -1;
          queueUs = queueMs >= 0 ? queueMs * 1000 : -1;
        }
      });
      client.on('response', (status, _bytes, responseTimeMs) => {
        const totalUs = responseTimeMs * 1000;
        hooks.onAttempt(request.name, {
          ok: options.isSuccess(status),
          status,
          errorKind: options.isSuccess(status) ? undefined : 'status',
          totalUs,
          totalUncorrectedUs: -1,
          dnsUs: -1,
          connectUs: -1,
          tlsUs: -1,
          writeUs: -1,
          ttfbUs,
          downloadUs: ttfbUs >= 0 ? totalUs - ttfbUs : -1,
          serviceUs,
          queueUs,
          networkUs: serviceUs >= 0 ? Math.max(0, totalUs - serviceUs - Math.max(queueUs, 0)) : -1,
          ttftUs: -1,
        });
      });
      const failed = (kind: ErrorKind) => {
        hooks.onAttempt(request.name, failedAttempt(kind, 0, (performance.now() - sentAt) * 1000));
      };
      client.on('connError', (error) => failed(classifyError(error)));
      client.on('timeout', () => failed('timeout_total'));
    };

    const instance = autocannon(
      {
        url: new URL(request.path, options.baseUrl).href,
        connections: options.connections,
        duration: options.durationMs / 1000,
        timeout: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
        method: request.method as 'GET',
        headers,
        body: request.body?.toString('utf8'),
        // No rate option is set, so autocannon applies no coordinated-omission correction (it would assume
        // a 1 ms interval); latency comes from our own per-response recording anyway.
        // Teardown waits for the next sample tick: a short one ends the stage on time.
        sampleInt: 50,
        setupClient,
        // The client certificate and SNI reach its sockets; autocannon itself turns verification off (the
        // preflight has verified the target's certificate with the same settings before any load).
        ...(options.tls ? { tlsOptions: options.tls, servername: options.tls.servername } : {}),
      },
      (error: Error | null) => (error ? reject(error) : resolve()),
    );
    stopSignal.onStop(() => (instance as unknown as { stop(): void }).stop());
  });
}

/**
 * autocannon's module graph takes ~0.15 s to load, in every process and load thread that imports it: only runs
 * that use this engine load it, before time zero (the engine's `prepare`); Node keeps it after.
 */
export async function loadAutocannon(): Promise<typeof import('autocannon')> {
  return (await import('autocannon')).default;
}
