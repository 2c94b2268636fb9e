import { mkdir, readFile, writeFile } from 'node:fs/promises';

/**
 * Everything the CLI touches of the process, as one object passed down: commands are testable in-process
 * with a fake, and nothing below cli/ reaches for `process` on its own.
 */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** a live, redrawn progress line is only drawn on a real terminal outside CI */
  interactive: boolean;
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string | Uint8Array): Promise<void>;
  mkdir(path: string): Promise<void>;
  /** subscribes to SIGINT/SIGTERM; returns the unsubscribe function */
  onInterrupt(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
  /** quits at once (a second Ctrl-C); everything else returns its exit code instead */
  exitNow(code: number): never;
  /** terminal width for help text, 0 when not a terminal */
  columns: number;
}

export function processIo(): Io {
  const stdout = process.stdout;
  return {
    stdout: (text) => void stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    // ora-style spinners loop forever on a 0×0 pseudo-terminal: require real columns, and never in CI.
    interactive: Boolean(stdout.isTTY) && (stdout.columns ?? 0) > 0 && !process.env.CI,
    readFile: (path) => readFile(path, 'utf8'),
    writeFile: (path, content) => writeFile(path, content),
    mkdir: async (path) => void (await mkdir(path, { recursive: true })),
    exitNow: (code) => process.exit(code),
    columns: stdout.columns ?? 0,
    onInterrupt(handler) {
      const onSigint = () => handler('SIGINT');
      const onSigterm = () => handler('SIGTERM');
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigterm);
      return () => {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigterm);
      };
    },
  };
}
