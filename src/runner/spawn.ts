import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Starts a worker thread on a module of this package. From compiled output the `.js` entry runs directly;
 * from TypeScript sources (tsx, vitest) loader hooks do not reach workers on Node 20, so the worker starts
 * from a tiny bootstrap that registers tsx inside the thread first and then imports the `.ts` entry.
 */
export function startWorker(entryUrl: URL, workerData: unknown): Worker {
  const entryPath = fileURLToPath(entryUrl);
  const compiled = entryPath.replace(/\.ts$/, '.js');
  if (entryPath.endsWith('.js') || (!entryPath.endsWith('.ts') && existsSync(compiled))) {
    return new Worker(entryUrl, { workerData });
  }
  // The ESM entry of tsx's API (require.resolve would give the CommonJS one).
  const tsxApi = import.meta.resolve('tsx/esm/api');
  // Evaluated as a CommonJS script: dynamic import() is the way into ESM from there.
  const bootstrap = `import(${JSON.stringify(tsxApi)})
    .then(({ register }) => { register(); return import(${JSON.stringify(entryUrl.href)}); })
    .catch((error) => { process.nextTick(() => { throw error; }); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** A thread entry module beside this file (`worker-entry`, `mock-thread-entry`), in the form (ts or js) this file was loaded as. */
export function entryUrl(name: 'worker-entry' | 'mock-thread-entry'): URL {
  const self = fileURLToPath(import.meta.url);
  return pathToFileURL(self.replace(/spawn\.(ts|js)$/, (_m, ext: string) => `${name}.${ext}`));
}
