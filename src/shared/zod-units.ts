import { z } from 'zod';
import { parseBytes, parseDurationMs, parseRatio } from './units.js';

/** A duration written as "250ms", "10s", "2m" or a number of milliseconds; yields milliseconds. */
export const durationMs = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "250ms", "10s" or "2m", got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});

/** A share written as "1%" or a number in 0..1; yields the ratio. */
export const ratio = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = parseRatio(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a share like "1%" or 0.01, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return parsed;
});

/** A size written as "8MiB", "512KiB" or a number of bytes; yields bytes. */
export const byteSize = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = parseBytes(value);
  if (bytes === undefined || bytes < 1) {
    ctx.addIssue({ code: 'custom', message: `expected a size like "8MiB", "512KiB" or a number of bytes, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return bytes;
});
