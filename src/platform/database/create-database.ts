import knex, { type Knex } from 'knex';
import pg from 'pg';
import { connectionFailure, safeUrl } from '../safe-url';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { LoadShedder } from './load-shedder';
import { sharesOneSession } from './prepared-statement';

/** Every wait on PostgreSQL is bounded: a database that stops answering costs a bounded delay. */
export interface DatabaseTimeouts {
  /** Opening a connection (TCP + startup + authentication). */
  connectMs: number;
  /** Waiting for a pooled connection; also the wait beyond which new requests are shed at once. */
  poolWaitMs: number;
  /** One statement: `statement_timeout` on the server, the same read timeout on the client. */
  queryMs: number;
  /** TCP keepalive: idle time before the first probe on a pooled connection. */
  keepAliveMs: number;
}

export type DatabaseSettings =
  | { kind: 'postgres'; url: string; poolMax: number; timeouts: DatabaseTimeouts }
  | {
      kind: 'embedded';
      dataDir: string;
      /** A snapshot to start an in-memory (`memory://`) database from. */
      snapshot?: string;
    };

export interface Database {
  knex: Knex;
  kind: 'postgres' | 'embedded';
  /**
   * How to open more connections to it (the job runtime's pool, its LISTEN client), with the same
   * timeouts; undefined on the embedded database, which has one session only.
   */
  connection: pg.PoolConfig | undefined;
  /**
   * Runs `work` on connections without statement or read timeouts (migrations may take long);
   * the embedded database has no timeouts to lift.
   */
  unbounded<T>(work: (knex: Knex) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// bigint ids fit in a JS number (the contract caps them at 2^53 - 1).
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/** The pg options every connection to PostgreSQL is opened with. */
function pgConnection(url: string, timeouts?: DatabaseTimeouts): pg.PoolConfig {
  return {
    connectionString: url,
    application_name: 'inkwell',
    ...(timeouts && {
      connectionTimeoutMillis: timeouts.connectMs,
      statement_timeout: timeouts.queryMs,
      // The server's timeout ends a slow statement; this one ends the wait on a server that no
      // longer answers at all (no RST: a blackholed host), where only the client can give up.
      query_timeout: timeouts.queryMs + 500,
      keepAlive: true,
      keepAliveInitialDelayMillis: timeouts.keepAliveMs,
    }),
  };
}

/** `started`: the embedded database, when the caller started it early; else it starts here. */
export async function createDatabase(
  config: DatabaseSettings,
  started?: Promise<EmbeddedPostgres>,
): Promise<Database> {
  if (config.kind === 'postgres') return openPostgres(config);
  const embedded = await (started ?? startEmbeddedPostgres(config.dataDir, config.snapshot));
  // PGlite is one session behind the socket: a single pooled connection keeps transactions from
  // interleaving (a second connection waiting on the first would hang forever).
  const db = knex({
    client: 'pg',
    connection: {
      host: embedded.socketDir,
      port: embedded.port,
      user: 'postgres',
      database: 'postgres',
    },
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: 30_000,
  });
  sharesOneSession(db);
  return {
    knex: db,
    kind: 'embedded',
    connection: undefined,
    unbounded: (work) => work(db),
    async close() {
      await db.destroy();
      await embedded.stop();
    },
  };
}

async function openPostgres(config: Extract<DatabaseSettings, { kind: 'postgres' }>) {
  const { timeouts } = config;
  const connection = pgConnection(config.url, timeouts);
  const db = knex({
    client: 'pg',
    connection: connection as Knex.PgConnectionConfig,
    pool: {
      min: 0,
      max: config.poolMax,
      // A connection whose query timed out on the client may still have that query in flight on
      // the wire: never hand it out again.
      validate: (client: pg.Client & { readyForQuery?: boolean }) => client.readyForQuery === true,
      createTimeoutMillis: timeouts.connectMs + 500,
      createRetryIntervalMillis: 200,
    },
    acquireConnectionTimeout: timeouts.poolWaitMs,
    log: { warn: quietAcquireErrors },
  });
  new LoadShedder(db, { poolMax: config.poolMax, maxWaitMs: timeouts.poolWaitMs }).install();
  await assertReachable(db, config.url);
  return {
    knex: db,
    kind: 'postgres' as const,
    connection,
    async unbounded<T>(work: (knex: Knex) => Promise<T>): Promise<T> {
      const patient = knex({
        client: 'pg',
        connection: pgConnection(config.url) as Knex.PgConnectionConfig,
        pool: { min: 0, max: 1 },
      });
      try {
        return await work(patient);
      } finally {
        await patient.destroy();
      }
    },
    close: () => db.destroy(),
  };
}

/** One sentence naming the variable and the address, instead of a driver's stack trace. */
async function assertReachable(db: Knex, url: string): Promise<void> {
  try {
    await db.raw('select 1');
  } catch (error) {
    await db.destroy();
    throw new Error(
      `cannot reach PostgreSQL at DATABASE_URL=${safeUrl(url)} (${connectionFailure(error)})`,
      { cause: error },
    );
  }
}

/** A failed connection reaches the caller as an error already; knex would also print its stack. */
function quietAcquireErrors(message: unknown): void {
  const text = String(message);
  if (text.startsWith('Acquire connection error') || text.startsWith('Connection Error')) return;
  console.warn(message);
}
