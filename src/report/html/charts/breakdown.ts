import type { Analysis } from '../../../analysis/types.js';
import { round3 } from '../../views/format.js';
import { CHART_HEIGHT, VEGA_LITE_SCHEMA, type Chart } from './types.js';

const COMPONENTS = ['network', 'queue', 'service'] as const;

/**
 * Per stage, network / queue / service stacked, at p50 and at p99 side by side. Each component's percentile
 * is its own (a stack of p99s is not the p99 of the total), which the caption says; the point is which part
 * grows as load grows. Undefined when no stage has a split.
 */
export function breakdownChart(analysis: Analysis): Chart | undefined {
  const values = analysis.stages.flatMap((stage, order) =>
    stage.split
      ? (['p50', 'p99'] as const).flatMap((percentile) =>
          COMPONENTS.flatMap((component) => {
            const part = stage.split![component];
            return part ? [{ stage: stage.name, order, percentile, component, ms: round3(part[percentile]) }] : [];
          }),
        )
      : [],
  );
  if (values.length === 0) return undefined;
  const method = analysis.split.method;
  return {
    id: 'latency-breakdown',
    title: 'Where the time goes, per stage',
    caption: `Network, queue and service time per stage (split by ${method}); each bar stacks the components' own percentiles, so it approximates, not equals, the total's.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      data: { values },
      columns: 2,
      facet: { field: 'percentile', type: 'nominal', title: null, sort: ['p50', 'p99'] },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 300,
        height: CHART_HEIGHT,
        mark: 'bar',
        encoding: {
          x: { field: 'stage', type: 'nominal', sort: { field: 'order' }, title: 'stage', axis: { labelAngle: 0 } },
          y: { field: 'ms', type: 'quantitative', stack: 'zero', title: 'ms' },
          color: {
            field: 'component',
            type: 'nominal',
            sort: [...COMPONENTS],
            scale: { domain: [...COMPONENTS], range: ['#4c78a8', '#f58518', '#54a24b'] },
            title: null,
          },
          order: { field: 'component', sort: 'ascending' },
          tooltip: [
            { field: 'stage', type: 'nominal' },
            { field: 'component', type: 'nominal' },
            { field: 'ms', type: 'quantitative', format: '.2f' },
          ],
        },
      },
    },
  };
}
