/** How figures read wherever a person reads them: terminal lines, reports, JUnit messages. */

/** Milliseconds for reading: three significant figures is what a latency reading can honestly claim. */
export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** A name made safe for a file or folder name: "Generate (SSE)" → "generate-sse"; "run" when nothing is left. */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'run';
}
