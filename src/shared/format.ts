/** How figures read wherever a person reads them: terminal lines, reports, JUnit messages. */

/**
 * Milliseconds for reading: three significant figures is what a latency reading can honestly claim. A figure
 * the run could not measure (null) reads "n/a": never a made-up 0.
 */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'n/a';
  if (!Number.isFinite(value)) return '–';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** A name made safe for a file or folder name: "Generate (SSE)" → "generate-sse"; "run" when nothing is left. */
export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'run'
  );
}

/** The units a judged figure is read in. */
export type FigureUnit = 'ms' | '%' | 'req/s' | 'requests';

/** A value with its unit, rounded for reading: 812 ms, 23.4 ms, 0.52%, 212.3 req/s. */
export function formatValue(value: number, unit: FigureUnit): string {
  switch (unit) {
    case 'ms':
      return `${formatMs(value)} ms`;
    case '%':
      return `${value.toFixed(value !== 0 && value < 0.1 ? 3 : 2)}%`;
    case 'req/s':
      return `${value.toFixed(1)} req/s`;
    case 'requests':
      return `${value.toFixed(0)} requests`;
  }
}
