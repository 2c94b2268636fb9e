import { describe, expect, it } from 'vitest';
import { durationHeaderMs, retryAfterMs, serverTimingMs } from '../../src/engines/server-timing.js';

describe('Server-Timing and duration headers', () => {
  it.each([
    ['app;dur=20.1, queue;dur=3', 'app', 20.1],
    ['app;dur=20.1, queue;dur=3', 'queue', 3],
    ['db;dur=5;desc="x", app;desc="y";dur=7', 'app', 7],
    ['app;dur="12.5"', 'app', 12.5],
    ['APP;dur=1', 'app', -1],
    ['app', 'app', -1],
    ['app;dur=-4', 'app', -1],
    ['app;dur=abc', 'app', -1],
  ])('%s → %s = %d', (header, metric, expected) => {
    expect(serverTimingMs(header, metric)).toBe(expected);
  });

  it('reads a metric from repeated headers and is absent without one', () => {
    expect(serverTimingMs(['cache;dur=1', 'app;dur=9'], 'app')).toBe(9);
    expect(serverTimingMs(undefined, 'app')).toBe(-1);
  });

  it.each([
    ['123', 123],
    ['0.5s', 500],
    ['42ms', 42],
    ['fast', -1],
  ])('duration header %s → %d ms', (header, expected) => {
    expect(durationHeaderMs(header)).toBe(expected);
  });

  it('reads Retry-After as seconds or as an HTTP date against the wall clock', () => {
    expect(retryAfterMs('2', 0)).toBe(2000);
    const now = Date.parse('Fri, 27 Nov 2026 07:00:00 GMT');
    expect(retryAfterMs('Fri, 27 Nov 2026 07:00:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('Fri, 27 Nov 2026 06:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBe(-1);
  });
});
