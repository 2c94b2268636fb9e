import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

// The project's own rules, run over a throw-away tree so the check proves the rules, not today's code.
const require = createRequire(import.meta.url);
const config = require('../../.dependency-cruiser.cjs') as { forbidden: IForbiddenRuleType[] };

const root = mkdtempSync(join(tmpdir(), 'tailscope-layering-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'case-'));
  for (const top of ['src', 'mock-server']) mkdirSync(join(dir, top));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function violations(dir: string): Promise<string[]> {
  const result = await cruise(['src', 'mock-server'], {
    baseDir: dir,
    ruleSet: { forbidden: config.forbidden },
    validate: true,
    tsPreCompilationDeps: true,
  });
  if (typeof result.output === 'string') throw new Error('expected a cruise result object');
  return result.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('dependency rules', () => {
  it('fail an import from metrics/ up into analysis/', async () => {
    const dir = tree({
      'src/analysis/verdict.ts': 'export const passed = true;\n',
      'src/metrics/names.ts': "import { passed } from '../analysis/verdict';\nexport const names = [passed];\n",
    });
    expect(await violations(dir)).toEqual(['no-upstream-from-metrics: src/metrics/names.ts → src/analysis/verdict.ts']);
  });

  it('fail a type-only import from analysis/ up into report/', async () => {
    const dir = tree({
      'src/report/junit.ts': 'export interface JunitSuite { name: string }\n',
      'src/analysis/format.ts': "import type { JunitSuite } from '../report/junit';\nexport const suites: JunitSuite[] = [];\n",
    });
    expect(await violations(dir)).toEqual(['no-upstream-from-analysis: src/analysis/format.ts → src/report/junit.ts']);
  });

  it('fail the mock server importing the tool beyond the shared leaves', async () => {
    const dir = tree({
      'src/shared/random.ts': 'export const seed = 1;\n',
      'src/metrics/histogram.ts': 'export const us = 1;\n',
      'mock-server/stats.ts':
        "import { seed } from '../src/shared/random';\nimport { us } from '../src/metrics/histogram';\nexport const x = seed + us;\n",
    });
    expect(await violations(dir)).toEqual(['mock-uses-only-shared-leaves: mock-server/stats.ts → src/metrics/histogram.ts']);
  });

  it('pass imports that run downstream', async () => {
    const dir = tree({
      'src/shared/units.ts': 'export const ms = 1;\n',
      'src/metrics/names.ts': "import { ms } from '../shared/units';\nexport const names = [ms];\n",
      'src/result/types.ts': "import { names } from '../metrics/names';\nexport const result = names;\n",
      'src/analysis/analyze.ts': "import { result } from '../result/types';\nexport const analysis = result;\n",
      'src/report/build.ts': "import { analysis } from '../analysis/analyze';\nexport const built = analysis;\n",
      'src/report/views/run.ts': "import { result } from '../../result/types';\nexport const view = result;\n",
      'src/report/html/page.ts': "import { view } from '../views/run';\nexport const page = view;\n",
      'src/cli/main.ts': "import { page } from '../report/html/page';\nexport const main = page;\n",
    });
    expect(await violations(dir)).toEqual([]);
  });

  it('fail a renderer that computes the analysis itself, outside report/build.ts', async () => {
    const dir = tree({
      'src/analysis/analyze.ts': 'export const analysis = 1;\n',
      'src/report/html/page.ts': "import { analysis } from '../../analysis/analyze';\nexport const page = analysis;\n",
    });
    expect(await violations(dir)).toEqual(['analyze-only-in-report-build: src/report/html/page.ts → src/analysis/analyze.ts']);
  });

  it('fail one report format importing another, and a shared view importing a format', async () => {
    const dir = tree({
      'src/report/markdown/render.ts': 'export const icon = 1;\n',
      'src/report/html/page.ts': "import { icon } from '../markdown/render';\nexport const page = icon;\n",
      'src/report/views/run.ts': "import { page } from '../html/page';\nexport const view = page;\n",
    });
    expect((await violations(dir)).sort()).toEqual([
      'report-formats-apart: src/report/html/page.ts → src/report/markdown/render.ts',
      'report-views-below-formats: src/report/views/run.ts → src/report/html/page.ts',
    ]);
  });
});
