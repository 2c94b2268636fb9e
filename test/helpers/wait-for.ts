/**
 * Polls `read` every 50 ms until it gives a value, for tests that wait on a run in progress (an address on
 * stderr, a line on stdout); bounded, so a run that never says it fails the test instead of hanging it.
 */
export async function waitFor<T>(what: string, read: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
