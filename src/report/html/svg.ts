import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from './charts/types.js';

/**
 * Renders a chart to static SVG on the server, so the report reads with scripts off and in CI artifact
 * viewers. Returns undefined (and the live chart stands alone) if the spec cannot render headless.
 */
export async function renderSvg(spec: ChartSpec): Promise<string | undefined> {
  try {
    const compiled = compile(spec as unknown as TopLevelSpec).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    return svg;
  } catch {
    return undefined;
  }
}
