#!/usr/bin/env node
// Runs the compiled CLI when dist/ exists, and the TypeScript sources through tsx otherwise,
// so `npx tailscope` works straight from a clone.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

// Loading the CLI takes about a second from source. A signal in that time (or whenever no command is listening)
// would kill the process without a word; this ends it as a stopped run ends, with exit 130 and one line. It steps
// aside while a command listens itself: `tailscope run` handles signals from its first line to its last file.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (process.listenerCount(signal) > 1) return;
    process.stderr.write(`${signal}: stopped before the command finished\n`);
    process.exit(130);
  });
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
