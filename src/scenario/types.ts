import type { ScenarioParsed } from './schema.js';
import type { LoadPlan } from '../load/types.js';

/** A validated scenario with environment variables resolved and the load curve compiled. Trusted inside. */
export interface Scenario extends Omit<ScenarioParsed, 'load' | 'interval' | 'warmup' | 'workers' | 'requests' | 'flows'> {
  /** the one-step form; empty when the scenario gives only flows */
  requests: NonNullable<ScenarioParsed['requests']>;
  /** sequences of steps; empty when the scenario gives only requests */
  flows: NonNullable<ScenarioParsed['flows']>;
  /** worker threads: the scenario's, the command line's, or the machine's default */
  workers: number;
  /** load before time zero, recorded apart (0: none); the default is resolved at the boundary */
  warmupMs: number;
  /** the file it came from, for messages and the report */
  file?: string;
  intervalMs: number;
  load: LoadPlan;
  /** the scenario as the user wrote it, secrets replaced, for the report's "as run" section */
  redacted: unknown;
  /** the command-line overrides applied (`-e`, `--target`, `--set`, `--workers`), as the result lists them */
  overrides?: string[];
  /**
   * Where a field is in the source text, for the checks that need the file system (data files, mock profiles)
   * and so run after parsing: their errors point at the line as parse errors do.
   */
  /** every secret value the scenario holds (see secrets.ts), scrubbed by value from every output */
  secretValues: string[];
  locate?: (path: (string | number)[]) => { line?: number; column?: number };
}
