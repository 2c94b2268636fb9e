/**
 * Preloaded with `node --import` by bench/garbage.ts (`--sites`): samples where the thread it runs in allocates
 * (worker threads inherit the preload), garbage included, and on the thread's exit writes V8's sampled heap
 * profile to `$BENCH_ALLOC_DIR/<pid>-<threadId>.heapprofile`. V8's sampling profiler keeps only objects still
 * alive unless told otherwise: here it is told to keep those young and full collections freed, because the
 * garbage is the point. Plain JavaScript, so the same file preloads into tsx, a bundle, or a bare node.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import process from 'node:process';
import { threadId } from 'node:worker_threads';

/** One sample per this many bytes allocated, on average: fine enough for sites of a few hundred bytes a request. */
const SAMPLING_INTERVAL_BYTES = 4096;

const dir = process.env.BENCH_ALLOC_DIR;
if (dir) {
  const session = new Session();
  // A session on the thread's own inspector dispatches synchronously: the exit handler can still stop it.
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: SAMPLING_INTERVAL_BYTES,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) return;
      writeFileSync(join(dir, `${process.pid}-${threadId}.heapprofile`), JSON.stringify(result.profile));
    });
  });
}
