import type { Knex } from 'knex';
import { DomainError } from '../../kernel/domain-error';

interface PoolClient {
  acquireConnection(): Promise<object>;
  releaseConnection(connection: object): Promise<void>;
  pool?: { numPendingAcquires(): number } | undefined;
}

export interface LoadShedderSettings {
  poolMax: number;
  /** The longest a request may wait for a connection. */
  maxWaitMs: number;
}

/** How fast the average hold time follows new samples (an exponentially weighted mean). */
const WEIGHT = 0.1;
/** Below this queue length a wait is always accepted (the estimate is still warming up). */
const ALWAYS_QUEUE = 1;

/**
 * Refuses a connection at once, with a 503, when the queue in front of the pool is longer than
 * the pool can serve within `maxWaitMs`: queued requests would only time out, after having held
 * their clients for the whole bound. The estimate is the queue length times the mean time a
 * connection is held, divided by the pool size.
 */
export class LoadShedder {
  private meanHoldMs = 0;
  private readonly heldSince = new WeakMap<object, number>();

  constructor(
    private readonly knex: Knex,
    private readonly settings: LoadShedderSettings,
  ) {}

  install(): void {
    const client = this.knex.client as unknown as PoolClient;
    const acquire = client.acquireConnection.bind(client);
    const release = client.releaseConnection.bind(client);
    client.acquireConnection = async () => {
      this.admit(client.pool?.numPendingAcquires() ?? 0);
      const connection = await acquire();
      this.heldSince.set(connection, performance.now());
      return connection;
    };
    client.releaseConnection = (connection) => {
      const since = this.heldSince.get(connection);
      if (since !== undefined) {
        this.heldSince.delete(connection);
        this.observe(performance.now() - since);
      }
      return release(connection);
    };
  }

  /** The wait a new request would have, by the current queue and hold times. */
  private expectedWaitMs(queued: number): number {
    return ((queued + 1) * this.meanHoldMs) / this.settings.poolMax;
  }

  private admit(queued: number): void {
    if (queued < ALWAYS_QUEUE || this.expectedWaitMs(queued) <= this.settings.maxWaitMs) return;
    throw new DomainError(
      'unavailable',
      'The database is saturated; the request was not queued. Try again shortly.',
      { retryAfterSeconds: 1 },
    );
  }

  private observe(heldMs: number): void {
    this.meanHoldMs =
      this.meanHoldMs === 0 ? heldMs : this.meanHoldMs + WEIGHT * (heldMs - this.meanHoldMs);
  }
}
