import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Io } from '../../src/cli/io.js';

/** An Io that captures output and lets a test raise SIGINT; files go to the real disk (tests use temp dirs). */
export function fakeIo(cwd: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const handlers = new Set<(signal: 'SIGINT' | 'SIGTERM') => void>();
  const io: Io = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    env,
    cwd,
    interactive: false,
    readFile: (path) => readFile(path, 'utf8'),
    writeFile: (path, content) => writeFile(path, content),
    mkdir: async (path) => void (await mkdir(path, { recursive: true })),
    exitNow: (code) => {
      throw new Error(`exitNow(${code}) called in a test`);
    },
    columns: 0,
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
  return {
    io,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    interrupt: () => [...handlers].forEach((h) => h('SIGINT')),
  };
}
