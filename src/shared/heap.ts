/**
 * A full garbage collection of this thread's heap, for a load thread about to send its first request, called
 * while nothing is in flight. Loading the modules and building a client leaves ~10 MB of start-up garbage in a fresh
 * isolate whose old-generation limit is still small, so V8's first mark-compact otherwise came ~2.8 s into a load
 * thread's life: in the first measured second of a run with a 2 s warm-up (a 6 ms finalizing pause plus up to
 * 15 ms of incremental marking steps, in `--trace-gc`), waited out by every request in flight. Collected here,
 * the same mark-compact runs before the first request, and the limit V8 sets after it leaves room for the run.
 *
 * `gc` exists where the thread was started with `--expose-gc` (src/runner/spawn.ts starts its threads so); a
 * thread without it goes on unchanged.
 */
export function collectStartUpGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
