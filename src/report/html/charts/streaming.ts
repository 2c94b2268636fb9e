import { round3 } from '../../views/format.js';
import { CHART_HEIGHT, VEGA_LITE_SCHEMA, type Chart } from './types.js';
import type { StreamingStage } from '../../views/charts.js';

/**
 * Tokens per stage: time to first token and inter-token gaps of streams, time per output token (p50 and p99),
 * and tokens per second delivered. Undefined for runs that counted no token.
 */
export function streamingChart(stages: StreamingStage[]): Chart | undefined {
  if (stages.length === 0) return undefined;
  // Log scale: a microsecond floor, as on the other latency charts; a missing measure draws no point.
  const point = (s: StreamingStage, order: number, series: string, ms: number | undefined) =>
    ms === undefined ? [] : [{ stage: s.stage, order, series, ms: round3(Math.max(ms, 0.001)) }];
  const latency = stages.flatMap((s, order) => [
    ...point(s, order, 'TTFT p50', s.ttft?.p50),
    ...point(s, order, 'TTFT p99', s.ttft?.p99),
    ...point(s, order, 'ITL p50', s.itl?.p50),
    ...point(s, order, 'ITL p99', s.itl?.p99),
    ...point(s, order, 'TPOT p50', s.tpot?.p50),
    ...point(s, order, 'TPOT p99', s.tpot?.p99),
  ]);
  const tokens = stages.map((s, order) => ({ stage: s.stage, order, tokensPerSec: round3(s.tokensPerSec) }));
  const stageAxis = { field: 'stage', type: 'nominal', sort: { field: 'order' }, title: 'stage', axis: { labelAngle: 0 } };
  const latencyPanel = {
    width: 340,
    height: CHART_HEIGHT,
    data: { values: latency },
    mark: { type: 'line', point: true },
    encoding: {
      x: stageAxis,
      y: { field: 'ms', type: 'quantitative', title: 'ms', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [
        { field: 'stage', type: 'nominal' },
        { field: 'series', type: 'nominal' },
        { field: 'ms', type: 'quantitative', format: '.2f' },
      ],
    },
  };
  const tokensPanel = {
    width: 220,
    height: CHART_HEIGHT,
    data: { values: tokens },
    mark: { type: 'bar', color: '#72b7b2' },
    encoding: {
      x: stageAxis,
      y: { field: 'tokensPerSec', type: 'quantitative', title: 'tokens/s' },
      tooltip: [
        { field: 'stage', type: 'nominal' },
        { field: 'tokensPerSec', type: 'quantitative', format: '.1f' },
      ],
    },
  };
  // Without token counts (no usage reports, no counted chunks) an empty panel would read as zero throughput.
  const hasTokens = tokens.some((t) => t.tokensPerSec > 0);
  return {
    id: 'streaming',
    title: 'Tokens: time to first token, inter-token latency, time per output token, tokens/s',
    caption:
      'Per stage. TTFT is what a user waits before text appears; ITL is the gap between tokens after that; TPOT is the time per output token (a plain response: its latency over its tokens) (log scale).',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      hconcat: hasTokens ? [latencyPanel, tokensPanel] : [latencyPanel],
    },
  };
}
