/**
 * Polls `check` until it returns something other than undefined, and returns that; fails with
 * `what` after `timeoutMs`. For state that a background job changes.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  { timeoutMs = 10_000, intervalMs = 25 } = {},
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
