/**
 * The library API, in the order of the data flow: scenario → run → result → analysis → reports, plus the
 * regression comparison, the merge of sharded runs, and the bundled mock target.
 */
export { parseScenario } from './scenario/read.js';
export { ScenarioError } from './scenario/errors.js';
export type { Scenario } from './scenario/types.js';
export { runScenario, type RunOptions } from './runner/run-scenario.js';
export { TargetUnreachableError } from './runner/preflight.js';
export { parseResult, ResultFileError } from './result/read.js';
export { mergeResults, MergeError } from './result/merge.js';
export { RESULT_SCHEMA, type RunResult, type SearchProbe, type SearchRecord } from './result/types.js';
export { analyze } from './analysis/analyze.js';
export { ANALYSIS_SCHEMA, type Analysis, type Verdict } from './analysis/types.js';
export { exitCodeOf } from './cli/exit-codes.js';
export { evaluateThresholds } from './analysis/thresholds/index.js';
export { compareRuns, type Comparison } from './analysis/compare/compare.js';
export { renderReportFiles, writeReports } from './report/write.js';
export { startMockServer, startDelayProxy } from '../mock-server/index.js';
