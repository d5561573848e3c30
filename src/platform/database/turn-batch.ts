import DataLoader from 'dataloader';
import type { PreparedStatement } from './prepared-statement';

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

/**
 * Reads by id of one turn as one run of `statement` (`… where id = any(:ids)`); an id without a
 * row gets undefined.
 */
export function batchedById<R extends { id: number }>(
  statement: PreparedStatement<{ ids: number[] }, R>,
): TurnBatch<number, R | undefined> {
  return batchedByTurn(async (ids: readonly number[]) => {
    const byId = new Map((await statement.rows({ ids: [...ids] })).map((row) => [row.id, row]));
    return ids.map((id) => ok(byId.get(id)));
  });
}

/**
 * For keys that each name a whole statement (a page of a list): each distinct key (by `idOf`) runs
 * once, and every key of the batch equal to it gets its outcome.
 */
export async function oncePerKey<K, V>(
  keys: readonly K[],
  idOf: (key: K) => string,
  run: (key: K) => Promise<V>,
): Promise<Outcome<V>[]> {
  const runs = new Map<string, Promise<Outcome<V>>>();
  return Promise.all(
    keys.map((key) => {
      const id = idOf(key);
      let outcome = runs.get(id);
      if (!outcome) runs.set(id, (outcome = run(key).then(ok, failed)));
      return outcome;
    }),
  );
}
