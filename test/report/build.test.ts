import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { loadRun } from '../../src/report/build.js';
import type { TextReader } from '../../src/result/read.js';
import { REPLAY } from './advice-fixture.js';
import { syntheticResult } from './fixture.js';

const result = syntheticResult();
const reader = (analysis: unknown): TextReader => ({
  readFile: async (path) => JSON.stringify(path.endsWith('analysis.json') ? analysis : result),
});

describe('loading a run for a report', () => {
  it('keeps the what-if replay of the analysis.json beside the result', async () => {
    const stored = { ...analyze(result), replay: REPLAY };
    const run = await loadRun('/runs/a/result.json', reader(stored));
    expect(run.analysisComputed).toBe(false);
    expect(run.analysis.replay).toEqual(REPLAY);
  });

  it('recomputes an analysis.json of the same schema written before the advice sections existed', async () => {
    const { resilience: _resilience, ...old } = analyze(result);
    const run = await loadRun('/runs/a/result.json', reader({ ...old, timeouts: { ...old.timeouts, byLoadLevel: undefined } }));
    expect(run.analysisComputed).toBe(true);
    expect(run.analysis.resilience.snippets.fetch).toContain('AbortSignal.timeout(');
  });
});
