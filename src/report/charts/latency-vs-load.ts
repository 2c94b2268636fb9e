import type { RunResult } from '../../result/types.js';
import { CHART_HEIGHT, CHART_WIDTH, type Chart } from './types.js';

/** Per stage: throughput and p99 against the load achieved — the capacity curve with its knee. */
export function latencyVsLoad(result: RunResult): Chart {
  const open = result.model === 'open';
  const loadTitle = open ? 'offered rate (req/s)' : 'achieved concurrency';
  const values = result.stages
    .filter((stage) => stage.requests > 0)
    .map((stage) => ({
      stage: stage.name,
      load: open ? stage.sentPerSec : stage.achievedConcurrency,
      throughput: stage.throughput,
      p50: stage.latency.p50,
      p99: stage.latency.p99,
    }));
  const x = { field: 'load', type: 'quantitative', title: loadTitle };
  return {
    id: 'latency-vs-load',
    title: open ? 'Latency and throughput vs offered rate' : 'Latency and throughput vs concurrency',
    caption: 'One point per stage. Throughput flattening while p99 climbs marks the knee.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      data: { values },
      layer: [
        {
          mark: { type: 'line', point: true, color: '#4c78a8' },
          encoding: { x, y: { field: 'throughput', type: 'quantitative', title: 'throughput (req/s)', axis: { titleColor: '#4c78a8' } } },
        },
        {
          mark: { type: 'line', point: true, color: '#e45756' },
          encoding: { x, y: { field: 'p99', type: 'quantitative', title: 'p99 latency (ms)', axis: { titleColor: '#e45756' } } },
        },
      ],
      resolve: { scale: { y: 'independent' } },
      encoding: { tooltip: [{ field: 'stage' }, { field: 'load', format: '.1f' }, { field: 'throughput', format: '.1f' }, { field: 'p99', format: '.2f' }] },
    },
  };
}
