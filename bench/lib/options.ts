/** Flags every benchmark script takes. */
export interface BenchOptions {
  /** short runs for development; never the figures in RESULTS.md */
  quick: boolean;
  runs: number;
  /** skip waiting for a quiet machine */
  noWait: boolean;
  /** write the tables to RESULTS.md (off with --quick unless --write is given) */
  write: boolean;
}

export function benchOptions(argv: readonly string[], defaults: { runs: number }): BenchOptions {
  const has = (flag: string) => argv.includes(flag);
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const quick = has('--quick');
  const runs = Number(value('--runs') ?? (quick ? 1 : defaults.runs));
  return { quick, runs, noWait: has('--no-wait') || quick, write: has('--write') || !quick };
}

export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
