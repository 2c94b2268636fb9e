import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { capacityView } from '../../src/report/views/run.js';
import { syntheticResult } from './fixture.js';

describe('the capacity chart', () => {
  it.each(['closed', 'open'] as const)('%s model: points, knee and USL curve share one x axis, the one the fit was made on', (model) => {
    const result = syntheticResult({ stageConcurrency: [2, 4, 8, 16, 32] });
    result.model = model;
    // Offered rates far from the in-flight counts, so drawing against the wrong one would show.
    if (model === 'open')
      result.stages.forEach((s, i) => {
        s.target = 100 * (i + 1);
        s.targetFrom = s.target;
      });
    const analysis = analyze(result);
    const view = capacityView(result, analysis);
    // fitUsl is given (concurrency, throughput) pairs: the chart's x must be that concurrency in both models.
    expect(view.points.map((p) => p.load)).toEqual(analysis.capacity.points.map((p) => p.concurrency));
    const knee = analysis.capacity.knee;
    if (knee) expect(view.kneeLoad).toBe(analysis.capacity.points.find((p) => p.stage === knee.stage)!.concurrency);
    if (model === 'open') expect(view.loadTitle).toMatch(/in flight/);
  });
});
