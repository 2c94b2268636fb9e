/** A vega-lite spec as plain data; each chart module builds one from result data alone. */
export type ChartSpec = Record<string, unknown>;

export interface Chart {
  id: string;
  title: string;
  /** one sentence under the title: how to read the chart */
  caption: string;
  spec: ChartSpec;
}

/**
 * A chart with nothing to draw (a run that completed no request, a stage with no samples): the page keeps its
 * title and says why in place of the chart. Handing vega empty data instead draws axes from ±1.8e308 — an
 * infinite extent — and fills the browser console with errors.
 */
export interface NoData {
  id: string;
  title: string;
  /** one sentence: what is missing */
  noData: string;
}

export function isNoData(chart: Chart | NoData): chart is NoData {
  return 'noData' in chart;
}

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 220;
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
