/**
 * Reads one metric's duration from a W3C Server-Timing header value, e.g.
 * `app;dur=20.1, queue;dur=3` → metric "app" → 20.1 (ms). Returns -1 when absent or malformed.
 */
export function serverTimingMs(headerValue: string | string[] | undefined, metric: string): number {
  if (headerValue === undefined) return -1;
  const text = Array.isArray(headerValue) ? headerValue.join(',') : headerValue;
  for (const entry of text.split(',')) {
    const parts = entry.split(';');
    if (parts[0]!.trim() !== metric) continue;
    for (let i = 1; i < parts.length; i++) {
      const [key, raw] = parts[i]!.split('=');
      if (key!.trim().toLowerCase() !== 'dur' || raw === undefined) continue;
      const value = Number(raw.trim().replace(/^"|"$/g, ''));
      return Number.isFinite(value) && value >= 0 ? value : -1;
    }
  }
  return -1;
}

/**
 * A plain duration header in ms (`openai-processing-ms: 123`, `x-inference-time: 0.123s`), -1 when absent.
 * A bare number is taken as ms; a trailing unit (ms/s) is honoured.
 */
export function durationHeaderMs(headerValue: string | string[] | undefined): number {
  if (headerValue === undefined) return -1;
  const text = (Array.isArray(headerValue) ? headerValue[0] : headerValue)?.trim() ?? '';
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(text);
  if (!match) return -1;
  const value = Number(match[1]);
  return match[2] === 's' ? value * 1000 : value;
}

/** Retry-After in ms: delta-seconds or an HTTP date (against the wall clock, the only clock it can mean). */
export function retryAfterMs(headerValue: string | string[] | undefined, nowEpochMs: number): number {
  if (headerValue === undefined) return -1;
  const text = (Array.isArray(headerValue) ? headerValue[0] : headerValue)?.trim() ?? '';
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? -1 : Math.max(0, date - nowEpochMs);
}
