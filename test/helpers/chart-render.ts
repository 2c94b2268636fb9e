import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * What a report's charts would show a browser, without one: the page's chart specs and static SVGs, drawn
 * headless by vega as the page draws them, with everything vega says and every number a browser refuses.
 */

/** Everything vega-lite and vega say while compiling and drawing a spec, and any non-finite number in its SVG. */
export async function renderProblems(spec: unknown): Promise<string[]> {
  const said: string[] = [];
  const logger = {
    level: () => logger,
    error: (...args: unknown[]) => void said.push(`error: ${args.join(' ')}`),
    warn: (...args: unknown[]) => void said.push(`warn: ${args.join(' ')}`),
    info: () => logger,
    debug: () => logger,
  };
  const compiled = compile(spec as TopLevelSpec, { logger: logger as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: logger as never, logLevel: vega.Warn });
  const svg = await view.toSVG();
  view.finalize();
  return [...said, ...nonFinite(svg)];
}

/** Numbers a browser refuses in SVG attributes: ±1.797e308 (vega's empty extent), Infinity, NaN. */
export function nonFinite(svg: string): string[] {
  return [...svg.matchAll(/[-\d.]+e\+?3\d\d|Infinity|NaN/g)].map((m) => `non-finite in SVG: ${m[0]}`);
}

export function pageParts(html: string): { specs: Record<string, unknown>; staticSvgs: string[]; noData: string[] } {
  const json = /<script type="application\/json" id="chart-specs">([\s\S]*?)<\/script>/.exec(html)![1]!;
  return {
    specs: JSON.parse(json.replace(/\\u003c/g, '<')) as Record<string, unknown>,
    staticSvgs: [...html.matchAll(/<div class="static" id="static-[^"]+">([\s\S]*?)<\/div>/g)].map((m) => m[1]!),
    noData: [...html.matchAll(/<section class="chart" id="([^"]+)"><h2>[^<]*<\/h2>\n<p class="no-data">/g)].map((m) => m[1]!),
  };
}
