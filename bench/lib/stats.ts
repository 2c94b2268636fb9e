/** Medians with their range: what RESULTS.md quotes for every repeated measurement. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[n - 1]!, n };
}

/** Ratio of medians, the figure a goal is judged on. */
export function ratio(numerator: Spread, denominator: Spread): number {
  return numerator.median / denominator.median;
}

export function fmt(value: number | undefined, digits = 2): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(digits);
}

export function fmtInt(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}

/** "12,345 (11,900–12,800)" */
export function fmtSpread(s: Spread, digits = 0): string {
  const f = (v: number) => (digits === 0 ? fmtInt(v) : fmt(v, digits));
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}
