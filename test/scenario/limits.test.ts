import { describe, expect, it } from 'vitest';
import { defaultWorkerCount } from '../../src/scenario/defaults.js';
import { parseScenario } from '../../src/scenario/read.js';
import { ScenarioError } from '../../src/scenario/errors.js';

const base = `name: limits
target: { url: "http://127.0.0.1:9" }
requests:
  - { name: generate, path: /v1/generate }
load:
  closed:
    - { hold: 1s, concurrency: 2 }
`;

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario limits checked at load time', () => {
  it('refuses a file over 4 MiB before parsing it', () => {
    const big = `${base}description: "${'x'.repeat(5 * 1024 * 1024)}"\n`;
    const started = performance.now();
    expect(messageOf(() => parseScenario(big, 'big.yaml', {}))).toMatch(/^big\.yaml: 5\.0 MiB is more than this file may be \(4 MiB\)/);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("checks keys for duplicates in linear time (200k keys: yaml's own check took minutes)", () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `  k${i}: ${i}`).join('\n');
    const text = `${base}compare:\n${keys}\n  k7: again\n`;
    expect(Buffer.byteLength(text)).toBeLessThan(4 * 1024 * 1024);
    const started = performance.now();
    const message = messageOf(() => parseScenario(text, 'keys.yaml', {}));
    // The duplicate is found first (it is the cheaper check); the unknown keys are not reached.
    expect(message).toMatch(/^keys\.yaml:200009:3: compare\.k7: duplicate key "k7" \(first at line 16\)$/);
    // Measured ~1 s on the 2-core runner; a quadratic check takes minutes here. Generous for a busy machine.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('judges the load cap against --workers, not only the file', () => {
    const heavy = base.replace('concurrency: 2', 'concurrency: 12000');
    // Without --workers the machine's default count decides the cap (5000 users per worker).
    const cap = 5000 * defaultWorkerCount();
    expect(messageOf(() => parseScenario(heavy.replace('concurrency: 12000', `concurrency: ${cap + 1}`), 'w.yaml', {}))).toMatch(
      new RegExp(`at most ${cap} \\(5000 per worker\\)`),
    );
    expect(parseScenario(heavy, 'w.yaml', {}, { workers: 3 }).workers).toBe(3);
    expect(messageOf(() => parseScenario(heavy, 'w.yaml', {}, { workers: 1 }))).toMatch(
      /12000 users is more than 1 worker hold: at most 5000/,
    );
  });

  it('lets placeholders hold spaces in paths and headers, where the row fills them', () => {
    const templated = base
      .replace('path: /v1/generate }', 'path: "/v1/items/{{ ids }}", headers: { X-Id: "{{ ids.key }}" } }')
      .replace('load:', 'data:\n  ids: { file: ids.txt }\nload:');
    expect(parseScenario(templated, 't.yaml', {}).requests[0]!.path).toBe('/v1/items/{{ ids }}');
  });
});
