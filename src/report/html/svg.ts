import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from './charts/types.js';

/**
 * Renders a chart to static SVG on the server, so the report reads with scripts off and in CI artifact
 * viewers. Returns undefined (and the live chart stands alone) if the spec cannot render headless.
 */
export async function renderSvg(spec: ChartSpec): Promise<string | undefined> {
  try {
    // vega and vega-lite take ~0.5 s to load, more than the rest of the CLI together: loaded on the first chart
    // (Node keeps them after), so that commands which draw none, and a run until its report, start without them.
    const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
    const compiled = compile(spec as unknown as TopLevelSpec).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    return svg;
  } catch {
    return undefined;
  }
}
