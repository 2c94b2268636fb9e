import { compileJsonPath, parseJsonBody, readJsonPath, type JsonPath } from '../shared/json-path.js';

/**
 * A step's captures, compiled once per worker (the paths were checked when the scenario was loaded): each names
 * a value in the JSON response body that later steps render as `{{ name }}`.
 */
export class Captures {
  private readonly paths: readonly [name: string, path: JsonPath][];

  constructor(spec: Record<string, string>) {
    this.paths = Object.entries(spec).map(([name, source]) => [name, compileJsonPath(source)]);
  }

  /**
   * Reads every capture from a body into `into`. Returns why it could not, naming the capture and its path, when
   * the body is missing, not JSON, or holds nothing (or null) at a path: a later step would otherwise go out with
   * a hole where the value should be.
   */
  read(body: Buffer | undefined, into: Map<string, unknown>): string | undefined {
    if (body === undefined) return 'no response body to capture from';
    const parsed = parseJsonBody(body.toString('utf8'));
    if (!parsed.ok) return `the response is not JSON (${parsed.reason}), so nothing could be captured`;
    for (const [name, path] of this.paths) {
      const value = readJsonPath(path, parsed.value);
      if (value === undefined || value === null) return `capture ${name}: ${path.source} found nothing in the response`;
      into.set(name, value);
    }
    return undefined;
  }
}

/** The value at one path of a JSON body, or why it could not be read. */
export function readBodyPath(body: Buffer | undefined, path: JsonPath): { value: unknown } | { reason: string } {
  if (body === undefined) return { reason: 'no response body' };
  const parsed = parseJsonBody(body.toString('utf8'));
  if (!parsed.ok) return { reason: `the response is not JSON (${parsed.reason})` };
  const value = readJsonPath(path, parsed.value);
  return value === undefined ? { reason: `${path.source} found nothing in the response` } : { value };
}
