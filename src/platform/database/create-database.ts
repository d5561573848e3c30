import knex, { type Knex } from 'knex';
import pg from 'pg';
import { connectionFailure, safeUrl } from '../safe-url';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

export type DatabaseSettings =
  | { kind: 'postgres'; url: string; poolMax: number }
  | {
      kind: 'embedded';
      dataDir: string;
      /** A snapshot to start an in-memory (`memory://`) database from. */
      snapshot?: string;
    };

export interface Database {
  knex: Knex;
  kind: 'postgres' | 'embedded';
  /** How to open more connections to it; the embedded database has one session only. */
  url: string | undefined;
  close(): Promise<void>;
}

// bigint ids fit in a JS number (the contract caps them at 2^53 - 1).
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/** `started`: the embedded database, when the caller started it early; else it starts here. */
export async function createDatabase(
  config: DatabaseSettings,
  started?: Promise<EmbeddedPostgres>,
): Promise<Database> {
  if (config.kind === 'postgres') {
    const db = knex({
      client: 'pg',
      connection: { connectionString: config.url, application_name: 'inkwell' },
      pool: { min: 0, max: config.poolMax },
      acquireConnectionTimeout: 10_000,
      log: { warn: quietAcquireErrors },
    });
    await assertReachable(db, config.url);
    return { knex: db, kind: 'postgres', url: config.url, close: () => db.destroy() };
  }
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
  return {
    knex: db,
    kind: 'embedded',
    url: undefined,
    async close() {
      await db.destroy();
      await embedded.stop();
    },
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
  if (!String(message).startsWith('Acquire connection error')) console.warn(message);
}
