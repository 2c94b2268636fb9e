/**
 * Preloaded with `node --import` by bench/garbage.ts: records every garbage collection of the thread it runs in
 * (worker threads inherit the preload), and on the thread's exit writes what it saw to
 * `$BENCH_GC_DIR/<pid>-<threadId>.json`: the bytes the thread allocated, each collection's kind and pause.
 *
 * Allocated bytes are exact to the collector's own accounting: the heap in use before each collection minus the
 * heap left after the previous one (plus the growth since the last one at exit), so garbage and survivors are
 * counted alike. Plain JavaScript, so the same file preloads into tsx, a bundle, or a bare node.
 */
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { join } from 'node:path';
import { getHeapStatistics, GCProfiler } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

const dir = process.env.BENCH_GC_DIR;
if (dir) {
  const profiler = new GCProfiler();
  const startUsed = getHeapStatistics().used_heap_size;
  profiler.start();
  process.on('exit', () => {
    const endUsed = getHeapStatistics().used_heap_size;
    const profile = profiler.stop();
    let allocated = 0;
    let left = startUsed;
    const collections = [];
    for (const gc of profile?.statistics ?? []) {
      const before = gc.beforeGC.heapStatistics.usedHeapSize;
      const after = gc.afterGC.heapStatistics.usedHeapSize;
      allocated += Math.max(0, before - left);
      left = after;
      // `cost` is the collection's pause in µs.
      collections.push({ kind: gc.gcType, pauseUs: gc.cost, beforeBytes: before, afterBytes: after });
    }
    allocated += Math.max(0, endUsed - left);
    writeFileSync(
      join(dir, `${process.pid}-${threadId}.json`),
      JSON.stringify({ pid: process.pid, threadId, mainThread: isMainThread, allocatedBytes: allocated, collections }),
    );
  });
}
