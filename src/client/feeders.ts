import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { TailscopeError } from '../shared/errors.js';

export class FeederError extends TailscopeError {
  readonly code = 'E_FEEDER';
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}${line > 0 ? `:${line}` : ''}: ${message}`);
  }
}

/** Feeder files larger than this are refused: rows are copied into every worker. */
const MAX_FEEDER_BYTES = 64 * 1024 * 1024;

/** Reads a JSONL (one JSON value per line), CSV (header row, then records) or plain text (one row per line) file. */
export async function loadRows(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  if (text.length > MAX_FEEDER_BYTES) throw new FeederError(file, 0, `larger than ${MAX_FEEDER_BYTES / 1024 / 1024} MiB`);
  const extension = extname(file).toLowerCase();
  const lines = text.split(/\r?\n/);
  let rows: unknown[];
  if (extension === '.jsonl' || extension === '.ndjson') {
    rows = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        rows.push(JSON.parse(line));
      } catch (error) {
        throw new FeederError(file, index + 1, `not JSON: ${(error as Error).message}`);
      }
    });
  } else if (extension === '.csv') {
    rows = parseCsv(lines, file);
  } else {
    rows = lines.filter((line) => line.trim() !== '');
  }
  if (rows.length === 0) throw new FeederError(file, 0, 'has no rows');
  return rows;
}

/** RFC 4180-style CSV without embedded newlines: quoted fields with "" escapes, header row gives field names. */
function parseCsv(lines: string[], file: string): Record<string, string>[] {
  const nonEmpty = lines.map((line, index) => ({ line, number: index + 1 })).filter((l) => l.line.trim() !== '');
  const header = nonEmpty.shift();
  if (!header) return [];
  const names = splitCsvLine(header.line, file, header.number);
  return nonEmpty.map(({ line, number }) => {
    const fields = splitCsvLine(line, file, number);
    if (fields.length !== names.length) throw new FeederError(file, number, `has ${fields.length} fields, the header has ${names.length}`);
    return Object.fromEntries(names.map((name, i) => [name, fields[i]!]));
  });
}

function splitCsvLine(line: string, file: string, number: number): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  if (quoted) throw new FeederError(file, number, 'has an unterminated quoted field');
  fields.push(field);
  return fields;
}

/**
 * Draws rows for one worker: sequential feeders interleave workers (worker i reads rows i, i+N, …) so that
 * together they walk the file in order; random feeders draw from a seeded PRNG.
 */
export function rowCursor(
  rows: readonly unknown[],
  order: 'random' | 'sequential',
  workerIndex: number,
  workerCount: number,
  random: () => number,
): () => unknown {
  let position = workerIndex;
  return () => {
    if (order === 'random') return rows[Math.floor(random() * rows.length)];
    const row = rows[position % rows.length];
    position += workerCount;
    return row;
  };
}
