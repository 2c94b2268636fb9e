/** Liveness and Prometheus metrics. */
import { nowMs } from '../clock.js';
import type { Exchange } from '../http.js';

const OK_BODY = JSON.stringify({ ok: true });

export function handleHealth(ex: Exchange): void {
  ex.send(200, 'application/json', OK_BODY, nowMs() - ex.startMs, 0);
}

export function handleMetrics(ex: Exchange): void {
  // Rendered before this response is counted: a scrape reports the traffic up to it, not itself.
  const body = ex.ctx.stats.prometheus();
  ex.send(200, 'text/plain; version=0.0.4; charset=utf-8', body, nowMs() - ex.startMs, 0);
}
