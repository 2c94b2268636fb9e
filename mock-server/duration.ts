/**
 * Durations as profiles write them: a number of milliseconds, or a string with a unit ("250ms", "2s", "1.5m",
 * "800us"). Parsed once at the profile boundary; everything inside works in milliseconds.
 */

const UNIT_TO_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000 };
const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|m)?\s*$/;

/** Returns milliseconds, or undefined when the text is not a duration (the caller names the field). */
export function parseDurationMs(input: number | string): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const match = DURATION_PATTERN.exec(input);
  if (!match) return undefined;
  const value = Number(match[1]);
  const unitMs = UNIT_TO_MS[match[2] ?? 'ms'];
  return unitMs === undefined ? undefined : value * unitMs;
}
