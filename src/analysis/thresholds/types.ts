import type { ObservedUnit } from '../../metrics/grammar/threshold-types.js';

export type {
  ComparisonOperator,
  ObservedUnit,
  Threshold,
  ThresholdScope,
  ThresholdSpec,
  ThresholdStat,
} from '../../metrics/grammar/threshold-types.js';

export interface ThresholdVerdict {
  expression: string;
  /** the stat as a label, e.g. "p99(ttfb){request=generate}" */
  metric: string;
  /** undefined when nothing was recorded for the stat: such a threshold fails (a typo must not pass CI) */
  observed: number | undefined;
  limit: number;
  unit: ObservedUnit;
  pass: boolean;
  /** why it failed besides the comparison, e.g. "no samples" */
  note?: string;
}
