/**
 * How long a test waits for a condition before it gives up. A healthy run never waits this long;
 * a busy machine (two suites and a benchmark on two cores) may need most of it.
 */
export const PATIENCE_MS = 120_000;

/**
 * Polls `check` until it returns something other than undefined, and returns that; fails with
 * `what` after `timeoutMs`. For state that a background job changes.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  { timeoutMs = PATIENCE_MS, intervalMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
