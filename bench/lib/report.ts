/**
 * Where results go: raw JSON under bench/out/ (git-ignored) and one section of bench/RESULTS.md per
 * benchmark, replaced whole between its markers, so each script rewrites only its own tables.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OUT, RESULTS_MD } from './paths.js';

export const SECTIONS = ['throughput', 'accuracy', 'co', 'soak', 'mock', 'profile'] as const;
export type SectionName = (typeof SECTIONS)[number];

const HEADER = `# tailscope benchmarks — results

Written by the scripts in \`bench/\` (\`npm run bench\`, or one of \`npm run bench:throughput\`, \`bench:accuracy\`,
\`bench:co\`, \`bench:soak\`, \`bench:mock\`); every figure below comes from a run of them, never from an edit.
Raw results of each run are in \`bench/out/*.json\`. How each benchmark works: \`bench/README.md\`.
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
  await writeFile(RESULTS_MD, `${HEADER}\n${body}`);
}

/** A markdown table from a header row and data rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
