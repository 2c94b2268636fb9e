import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleEntry } from '../../src/runner/spawn.js';

const workerEntry = fileURLToPath(new URL('../../src/runner/worker-entry.ts', import.meta.url));

describe('bundleEntry: the load thread runs a bundle that maps back to its sources', () => {
  it('writes the bundle under node_modules/.cache/tailscope, named by content, and reuses it', () => {
    const file = bundleEntry(workerEntry);
    expect(file).toMatch(/[\\/]node_modules[\\/]\.cache[\\/]tailscope[\\/]worker-entry-[0-9a-f]{16}\.mjs$/);
    expect(bundleEntry(workerEntry)).toBe(file);
  });

  it('carries an inline source map whose sources are named from the package root', () => {
    const text = readFileSync(bundleEntry(workerEntry)!, 'utf8');
    const inline = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(text);
    expect(inline).not.toBeNull();
    const payload = JSON.parse(Buffer.from(inline![1]!, 'base64').toString('utf8')) as SourceMapPayload & { sourcesContent?: unknown };
    expect(payload.sources).toContain('src/runner/worker-entry.ts');
    expect(payload.sources).toContain('src/engines/wire/response-parser.ts');
    // The sources themselves stay out of the file: the map names places, it does not copy the code.
    expect(payload.sourcesContent).toBeUndefined();

    // A line of the bundle leads back to the file and line it came from (the wire engine's response parser).
    const lines = text.split('\n');
    const line = lines.findIndex((l) => /^var ResponseParser = class \{|^class ResponseParser \{/.test(l));
    expect(line).toBeGreaterThan(0);
    const entry = new SourceMap(payload).findEntry(line, 0) as { originalSource?: string; originalLine?: number };
    expect(entry.originalSource).toBe('src/engines/wire/response-parser.ts');
    const declared = readFileSync(new URL('../../src/engines/wire/response-parser.ts', import.meta.url), 'utf8')
      .split('\n')
      .findIndex((l) => l.startsWith('export class ResponseParser'));
    expect(entry.originalLine).toBe(declared);
  });
});
