import { setFlagsFromString } from 'node:v8';

/**
 * V8's heap fitted to a small API process. Left to its defaults, V8 lets a busy process's heap grow
 * to several times what is live (a 16 MB semi-space, and the old generation allowed to grow well
 * past its live size before it is collected): measured, 230-250 MB resident under 64 connections
 * for about 30 MB of live objects. Two settings keep it near 125 MB at the same throughput:
 *
 * - an 8 MB semi-space (young generation 16 MB instead of 32 MB). It is read when the heap is
 *   created, so it is a command-line flag: `npm start`, the Dockerfile and cluster mode's workers
 *   pass it (HEAP_FLAGS); a process started otherwise keeps V8's default;
 * - the old generation collected once it has grown 30 % past what was live after the last
 *   collection, set at runtime (tuneHeap), so every way of starting gets it.
 *
 * A flag the operator gives on node's command line wins.
 */
export const HEAP_FLAGS = ['--max-semi-space-size=8'];
const GROWING_PERCENT = 30;

export function tuneHeap(): void {
  if (!flagGiven('--heap-growing-percent')) {
    setFlagsFromString(`--heap-growing-percent=${GROWING_PERCENT}`);
  }
}

/** The arguments to start a worker process with: the parent's, plus HEAP_FLAGS not given there. */
export function withHeapFlags(execArgv: readonly string[]): string[] {
  return [...execArgv, ...HEAP_FLAGS.filter((flag) => !flagGiven(flag.split('=')[0]!, execArgv))];
}

function flagGiven(name: string, execArgv: readonly string[] = process.execArgv): boolean {
  const spellings = [name, name.replace(/-/g, '_').replace(/^__/, '--')];
  return execArgv.some((arg) => spellings.some((spelling) => arg.startsWith(spelling)));
}
