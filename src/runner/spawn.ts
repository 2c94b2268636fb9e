import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Starts a worker thread on a module of this package. From compiled output the `.js` entry runs directly.
 * From TypeScript sources (tsx, vitest) loader hooks do not reach workers on Node 20; the load workers then
 * run a JavaScript bundle of their entry, built once per process with esbuild (tsx's own compiler), because
 * a worker that runs its code through tsx's hooks measured ~15% slower per request. Entries whose modules
 * locate files relative to themselves (the mock's profiles) start from a bootstrap that registers tsx.
 */
export function startWorker(entryUrl: URL, workerData: unknown): Worker {
  keepHeapsSteady();
  const entryPath = fileURLToPath(entryUrl);
  const compiled = entryPath.replace(/\.ts$/, '.js');
  if (entryPath.endsWith('.js') || (!entryPath.endsWith('.ts') && existsSync(compiled))) {
    return new Worker(entryUrl, { workerData });
  }
  const bundled = BUNDLED_ENTRIES.has(entryName(entryPath)) ? bundleEntry(entryPath) : undefined;
  if (bundled !== undefined) return new Worker(pathToFileURL(bundled), { workerData });
  // The ESM entry of tsx's API (require.resolve would give the CommonJS one).
  const tsxApi = import.meta.resolve('tsx/esm/api');
  // Evaluated as a CommonJS script: dynamic import() is the way into ESM from there.
  const bootstrap = `import(${JSON.stringify(tsxApi)})
    .then(({ register }) => { register(); return import(${JSON.stringify(entryUrl.href)}); })
    .catch((error) => { process.nextTick(() => { throw error; }); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

let heapsSteady = false;

/** V8 flags every load thread starts with (see keepHeapsSteady); bench/ gives its socket floor the same. */
export const LOAD_THREAD_V8_FLAGS: readonly string[] = ['--no-memory-reducer', '--expose-gc'];

/**
 * V8's memory reducer shrinks a heap that stopped growing with full mark-compacts: in a load worker, a few
 * seconds after start (its heap grew while loading and warming up, then allocation settles), one or two pauses
 * of 3–9 ms, right in the measured window, which every request in flight waits out. A load generator wants a
 * steady heap over a smaller one. `--expose-gc` gives each thread the `gc` with which it collects its start-up
 * garbage before the load starts (src/shared/heap.ts). The flags are read when an isolate is created, so they are
 * set before the first thread starts (they apply to the threads started after, not to this one's heap).
 */
function keepHeapsSteady(): void {
  if (heapsSteady) return;
  heapsSteady = true;
  for (const flag of LOAD_THREAD_V8_FLAGS) setFlagsFromString(flag);
}

type EntryName = 'worker-entry' | 'mock-thread-entry';

/** Entries whose module graph never resolves files from its own location, so a bundle elsewhere runs the same. */
const BUNDLED_ENTRIES: ReadonlySet<string> = new Set<EntryName>(['worker-entry']);

/** A thread entry module beside this file (`worker-entry`, `mock-thread-entry`), in the form (ts or js) this file was loaded as. */
export function entryUrl(name: EntryName): URL {
  const self = fileURLToPath(import.meta.url);
  return pathToFileURL(self.replace(/spawn\.(ts|js)$/, (_m, ext: string) => `${name}.${ext}`));
}

function entryName(entryPath: string): string {
  return entryPath.replace(/^.*[\\/]/, '').replace(/\.ts$/, '');
}

const bundles = new Map<string, string | undefined>();

/**
 * Bundles a TypeScript entry (dependencies left as imports) into node_modules/.cache, where those imports
 * resolve as they do from the sources. Named by content hash, so concurrent runs share one file and an edit
 * makes a new one. Undefined when esbuild or the cache directory is not available. bench/ runs its socket
 * floor from such a bundle, as the load threads run theirs.
 */
export function bundleEntry(entryPath: string): string | undefined {
  if (bundles.has(entryPath)) return bundles.get(entryPath);
  let result: string | undefined;
  try {
    const require = createRequire(import.meta.url);
    const esbuild = require('esbuild') as typeof import('esbuild');
    const built = esbuild.buildSync({
      entryPoints: [entryPath],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
      // A map back to the sources, named from the package root: a CPU profile of a load thread (bench/profile.ts)
      // and stack traces under --enable-source-maps then point at src/ rather than at the bundle's lines.
      sourcemap: 'inline',
      sourcesContent: false,
      absWorkingDir: packageRoot(),
    });
    // esbuild keeps its compiler running as a child process: stop it, the run must not carry it along.
    void esbuild.stop();
    const code = built.outputFiles[0]!.text;
    const cacheDir = join(packageRoot(), 'node_modules', '.cache', 'tailscope');
    const file = join(cacheDir, `${entryName(entryPath)}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(cacheDir, { recursive: true });
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    }
    result = file;
  } catch {
    result = undefined;
  }
  bundles.set(entryPath, result);
  return result;
}

function packageRoot(): string {
  // src/runner/spawn.ts → the package root
  return dirname(dirname(dirname(fileURLToPath(import.meta.url))));
}
