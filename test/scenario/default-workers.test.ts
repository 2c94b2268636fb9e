import { describe, expect, it } from 'vitest';
import { defaultWorkerCount } from '../../src/scenario/defaults.js';
import { parseScenario } from '../../src/scenario/read.js';

describe('default worker count', () => {
  it.each([
    // cores the process may use → workers: one core is left to the coordinator and the loopback target
    [1, 1],
    [2, 1],
    [3, 2],
    [5, 4],
    [64, 4],
  ])('%i cores → %i workers', (cores, workers) => {
    expect(defaultWorkerCount(cores)).toBe(workers);
  });

  it('applies when the scenario and the command line say nothing, and yields to either', () => {
    const yaml = (extra: string) => `name: w
target: { url: "http://127.0.0.1:9" }
requests: [{ name: r, path: / }]
load: { closed: [{ hold: 1s, concurrency: 1 }] }
${extra}`;
    expect(parseScenario(yaml(''), 'w.yaml', {}).workers).toBe(defaultWorkerCount());
    expect(parseScenario(yaml('workers: 3'), 'w.yaml', {}).workers).toBe(3);
    expect(parseScenario(yaml('workers: 3'), 'w.yaml', {}, { workers: 2 }).workers).toBe(2);
  });
});
