import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from './charts/types.js';

/**
 * Renders a chart to static SVG on the server, so the report reads with scripts off and in CI artifact
 * viewers. Returns undefined (and the live chart stands alone) if the spec cannot render headless.
 */
export async function renderSvg(spec: ChartSpec): Promise<string | undefined> {
  try {
    const { vega, compile } = await chartLibraries();
    const compiled = compile(spec as unknown as TopLevelSpec).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    return svg;
  } catch {
    return undefined;
  }
}

/**
 * vega and vega-lite take ~0.5 s to load, more than the rest of the CLI together: loaded on the first chart,
 * so that commands which draw none (and a run until its report) start without them.
 */
let libraries: Promise<{ vega: typeof import('vega'); compile: typeof import('vega-lite').compile }> | undefined;

function chartLibraries(): NonNullable<typeof libraries> {
  return (libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, { compile }]) => ({ vega, compile })));
}
