import DataLoader from 'dataloader';

/** The most keys one call of a batch's load gets. */
const MAX_BATCH = 256;

/** What one key of a batch came to: its value, or the error that is its alone. */
export type Outcome<V> = { ok: true; value: V } | { ok: false; error: unknown };

export const ok = <V>(value: V): Outcome<V> => ({ ok: true, value });
export const failed = (error: unknown): Outcome<never> => ({ ok: false, error });

export interface TurnBatch<K, V> {
  /** The value of `key`, from the next call of the batch's load. */
  load(key: K): Promise<V>;
}

/**
 * Reads asked for during one turn of the event loop, made as one call of `load`: a request that
 * arrives while others of the same turn wait on PostgreSQL shares their statement, round trip and
 * pooled connection instead of taking its own. Dispatched in the turn's check phase, once the I/O
 * callbacks of that turn (every request that arrived in it) have run.
 *
 * Batching only, no cache: each key waits for a statement sent after it was asked for, never for
 * one already running, so a read still sees every write answered before it arrived.
 *
 * `load` answers with one outcome per key, in the keys' order (a key may come more than once); if
 * it throws, every key of the batch fails with that error. Outcomes rather than Error values:
 * the errors keep their identity (pg's codes) whatever realm made them.
 */
export function batchedByTurn<K, V>(
  load: (keys: readonly K[]) => Promise<ReadonlyArray<Outcome<V>>>,
): TurnBatch<K, V> {
  const loader = new DataLoader<K, Outcome<V>>(load, {
    cache: false,
    maxBatchSize: MAX_BATCH,
    batchScheduleFn: (dispatch) => setImmediate(dispatch),
  });
  return {
    async load(key) {
      const outcome = await loader.load(key);
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    },
  };
}

/** The row of each key (undefined where there is none), matched by `keyOf`. */
export function rowPerKey<K, R>(
  keys: readonly K[],
  rows: readonly R[],
  keyOf: (row: R) => K,
): Outcome<R | undefined>[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => ok(byKey.get(key)));
}

/**
 * For keys that each name a whole statement (a page of a list): each distinct key's statement runs
 * once, and every occurrence of the key in the batch gets its outcome.
 */
export async function oncePerKey<K, V>(
  keys: readonly K[],
  run: (key: K) => Promise<V>,
): Promise<Outcome<V>[]> {
  const runs = new Map<K, Promise<Outcome<V>>>();
  for (const key of keys) {
    if (!runs.has(key)) runs.set(key, run(key).then(ok, failed));
  }
  return Promise.all(keys.map((key) => runs.get(key)!));
}
