/** A vega-lite spec as plain data; each chart module builds one from result data alone. */
export type ChartSpec = Record<string, unknown>;

export interface Chart {
  id: string;
  title: string;
  /** one sentence under the title: how to read the chart */
  caption: string;
  spec: ChartSpec;
}

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 220;
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
