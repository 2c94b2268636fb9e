import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The browser builds of vega, vega-lite and vega-embed, read from the installed packages so the report
 * opens with no network. The UMD files sit in each package's build/ folder (not exported as subpaths),
 * next to the entry that resolution finds.
 */
export function chartLibraries(): string[] {
  return [readBuild('vega', 'vega.min.js'), readBuild('vega-lite', 'vega-lite.min.js'), readBuild('vega-embed', 'vega-embed.min.js')];
}

let cached: Map<string, string> | undefined;

function readBuild(pkg: string, file: string): string {
  cached ??= new Map();
  const key = `${pkg}/${file}`;
  let text = cached.get(key);
  if (text === undefined) {
    const entry = require.resolve(pkg);
    // The entry is build/<something>.js for all three packages.
    const path = join(dirname(entry), file);
    // A literal "</script" inside the library would end the element early.
    text = readFileSync(path, 'utf8').replace(/<\/script/gi, '<\\/script');
    cached.set(key, text);
  }
  return text;
}
