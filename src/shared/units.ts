/** Parsing of the human units a scenario is written in. Everything inside tailscope carries the unit in its name. */

const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|m|h)?\s*$/;
const MS_PER_UNIT: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * "250ms", "1.5s", "2m", "800us" → milliseconds; a bare number (or a number written as a string) is already
 * milliseconds. The one duration grammar of scenarios, policies and mock profiles. Undefined when malformed.
 */
export function parseDurationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = DURATION_PATTERN.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * MS_PER_UNIT[match[2] ?? 'ms']!;
}

/** "1%" → 0.01, "0.5%" → 0.005; a bare number in 0..1 is already a ratio. */
export function parseRatio(value: string | number): number | undefined {
  if (typeof value === 'number') return value >= 0 && value <= 1 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  if (!match) return undefined;
  const ratio = Number(match[1]) / 100;
  return ratio <= 1 ? ratio : undefined;
}

const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$/;
const BYTES_PER_UNIT: Record<string, number> = { B: 1, KB: 1e3, KiB: 1024, MB: 1e6, MiB: 1024 ** 2, GB: 1e9, GiB: 1024 ** 3 };

/** "512KiB", "8MiB", "1MB" → bytes; a bare number is already bytes. Undefined when malformed. */
export function parseBytes(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = SIZE_PATTERN.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * BYTES_PER_UNIT[match[2] ?? 'B']!);
}

/** The inverse of parseDurationMs for whole units: 120000 → "2m", 1500 → "1500ms". */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
