/**
 * The layering of DESIGN.md, as rules a build can fail on. Data flows down this list; an import may only point
 * to a folder further down (or to its own folder):
 *
 *   cli/, index.ts                     wire everything (and may start the mock server)
 *   runner/  analysis/  report/        run a scenario / judge a result / render a result and its analysis
 *   scenario/                          read the user's file; speaks load, metrics and result vocabulary
 *   engines/  client/                  make requests (client wraps engines)
 *   result/                            RunResult, the contract between running and everything after
 *   metrics/  load/                    vocabulary and pure cores: metric names, histograms, schedules
 *   shared/, version.ts                leaves with no project imports, also used by mock-server/
 *
 * mock-server/ is the target the tool measures: it may use the shared leaves and nothing else of src/.
 */

/** Folders of src/ (and the mock) that a folder must not import. */
const forbidden = {
  shared: ['cli', 'runner', 'analysis', 'report', 'scenario', 'engines', 'client', 'result', 'metrics', 'load'],
  metrics: ['cli', 'runner', 'analysis', 'report', 'scenario', 'engines', 'client', 'result', 'load'],
  load: ['cli', 'runner', 'analysis', 'report', 'scenario', 'engines', 'client', 'result', 'metrics'],
  result: ['cli', 'runner', 'analysis', 'report', 'scenario', 'engines', 'client'],
  engines: ['cli', 'runner', 'analysis', 'report', 'scenario', 'client'],
  client: ['cli', 'runner', 'analysis', 'report', 'scenario'],
  scenario: ['cli', 'runner', 'analysis', 'report', 'engines', 'client'],
  analysis: ['cli', 'runner', 'report', 'engines', 'client'],
  report: ['cli', 'runner', 'engines', 'client'],
  runner: ['cli', 'report'],
  // the bus client of a live multi-machine run: it carries results and snapshots, and neither runs nor renders
  fleet: ['cli', 'runner', 'report'],
};

const upstream = Object.entries(forbidden).map(([from, targets]) => ({
  name: `no-upstream-from-${from}`,
  comment: `${from}/ sits below ${targets.join(', ')} in the data flow (see docs/architecture.md)`,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: `^src/(${targets.join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...upstream,
    {
      name: 'fleet-only-from-cli',
      comment: 'the NATS bus is wired in by the CLI; the runner stays free of it (it takes a start gate and a stop)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|fleet)/|^src/index\\.ts$' },
      to: { path: '^src/fleet/' },
    },
    {
      name: 'no-mock-into-src',
      comment: 'only the runner (which starts the mock in a thread), the CLI and the library API may import the mock',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(runner|cli)/|^src/index\\.ts$' },
      to: { path: '^mock-server/' },
    },
    {
      name: 'mock-uses-only-shared-leaves',
      comment: 'the mock server must not depend on the tool that measures it, beyond the shared leaves',
      severity: 'error',
      from: { path: '^mock-server/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'analyze-only-in-report-build',
      comment: 'report/ renders data; its one use-case module (report/build.ts) is the only part that may compute an analysis',
      severity: 'error',
      from: { path: '^src/report/', pathNot: '^src/report/build\\.ts$' },
      to: { path: '^src/analysis/analyze\\.ts$' },
    },
    {
      name: 'report-formats-apart',
      comment: 'each output format is rendered on its own; what two formats share is a view model in report/views/',
      severity: 'error',
      from: { path: '^src/report/(html|markdown|junit|openmetrics|prometheus)/' },
      to: { path: '^src/report/(html|markdown|junit|openmetrics|prometheus)/', pathNot: '^src/report/$1/' },
    },
    {
      name: 'report-views-below-formats',
      comment: 'report/views/ holds what the formats share: it is built from data and knows no format',
      severity: 'error',
      from: { path: '^src/report/views/' },
      to: { path: '^src/report/(html|markdown|junit|openmetrics|prometheus)/' },
    },
    {
      name: 'no-circular-between-folders',
      comment: "two folders that import each other are one folder, or one of them holds the other's vocabulary",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { circular: true, path: '^src/', pathNot: '^src/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a type imported from upstream is vocabulary living in the wrong place.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
