/**
 * Where results go: raw JSON under bench/out/ (git-ignored) and one section of bench/RESULTS.md per
 * benchmark, replaced whole between its markers, so each script rewrites only its own tables.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OUT, RESULTS_MD } from './paths.js';

export const SECTIONS = ['throughput', 'accuracy', 'co', 'soak', 'mock', 'profile', 'search', 'policy', 'garbage'] as const;
export type SectionName = (typeof SECTIONS)[number];

const HEADER = `# tailscope benchmarks — results

Written by the scripts in \`bench/\` (\`npm run bench\`, or one of \`npm run bench:throughput\`, \`bench:accuracy\`,
\`bench:co\`, \`bench:soak\`, \`bench:mock\`); every figure below comes from a run of them, never from an edit.
Raw results of each run are in \`bench/out/*.json\`. How each benchmark works: \`bench/README.md\`.
`;

/**
 * Why the goals that are missed are missed: mechanisms only (no figures, which live in the generated tables),
 * written after reading the tables and section 6's profile.
 */
const GAPS = `## What limits the gaps

Read with the tables above; this part is prose and carries no figures of its own.

- **Phase-timed engine against the autocannon CLI.** Every request of the \`http\` engine goes through node:http:
  a new \`ClientRequest\`, header validation (\`setHeader\`), the agent's socket bookkeeping (\`addRequest\`), a
  latin1 write of the header block, the parser glue (\`socketOnData\`), two timers (first byte, then total) and a
  dozen closures and listeners for the phase timings, with the garbage that follows. Section 6 puts most of the
  worker's busy time there and in GC; tailscope's own code (engine, requester, metric sets, histograms) is a
  small share. autocannon writes pre-encoded bytes to a raw socket and parses with http-parser-js without
  per-request objects. Closing the gap takes a leaner client for the phase-timed path (undici's \`Client\` with
  \`diagnostics_channel\`, or raw sockets with pre-encoded requests), not a local fix. Running from source
  through tsx also adds esbuild's \`__name\` helper for every closure made per request (visible in section 6);
  the build in \`dist/\` has none.
- **autocannon engine against the autocannon CLI, on nginx.** Same client, but every response also passes
  through tailscope's hooks: a scan of the raw headers for Server-Timing, \`performance.now()\` reads, and records
  into the interval, stage and request-name metric sets (several HDR histograms each). At nginx's rate that work
  is a visible share of the one core (section 6: metric sets, histogram index, the engine's listeners); against
  the mock, the mock is the ceiling and the two tie.
- **p99 at a fixed 20 ms.** In each tailscope run every 1-second interval holds a few requests 2–5 ms late
  (per-interval maximum in \`bench/out/runs/accuracy-fixed-20ms-tailscope-*/result.json\`), with both engines.
  It is not the once-a-second interval flush (the same run with \`interval: 5s\` shows the same tail) nor the
  coordinator sharing the pinned core (unpinned, the same): the cause is not found yet. With a distribution this
  narrow, a few late requests a second are the p99; with the lognormal and bimodal tails they are not.
- **The first measured second.** A load thread's first full garbage collection used to come a few seconds after
  it started, inside the first measured second after the warm-up, and every request in flight waited it out.
  Load threads now collect their start-up garbage before the first request; \`health.gc\` in result.json counts
  each run's collections and pauses over the measured run, so a tail made by the generator's own collector shows.
- **The mock's /v1/generate against bare node:http.** That route checks the token, reads and parses the JSON
  body, generates text, and records stats per request; \`/healthz\` (the routing alone) is within the goal.
  Not profiled here.
- **result.json size.** It holds histograms, not samples: per interval its size is bounded by the occupied
  HDR buckets, which grow slowly with the number of samples; so it grows much less than the request count, but
  it is not independent of it.
`;

export async function writeRaw(name: string, data: unknown): Promise<string> {
  await mkdir(OUT, { recursive: true });
  const file = join(OUT, `${name}.json`);
  await writeFile(file, JSON.stringify(data, null, 2));
  return file;
}

export async function writeSection(name: SectionName, markdown: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(RESULTS_MD, 'utf8');
  } catch {
    text = HEADER;
  }
  const sections = new Map<string, string>();
  for (const section of SECTIONS) {
    const match = new RegExp(`<!-- bench:${section}:start -->\\n([\\s\\S]*?)<!-- bench:${section}:end -->`).exec(text);
    if (match) sections.set(section, match[1]!);
  }
  sections.set(name, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  const body = SECTIONS.filter((s) => sections.has(s))
    .map((s) => `<!-- bench:${s}:start -->\n${sections.get(s)}<!-- bench:${s}:end -->\n`)
    .join('\n');
  await writeFile(RESULTS_MD, `${HEADER}\n${body}\n${GAPS}`);
}

/** A markdown table from a header row and data rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
