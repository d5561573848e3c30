import type { Knex } from 'knex';
import type { Pool, PoolClient, QueryResult } from 'pg';

interface KnexClient {
  acquireConnection(): Promise<PoolClient>;
  releaseConnection(connection: PoolClient): Promise<void>;
}

/**
 * A pg Pool look-alike that borrows knex's connection. On the embedded database there is one
 * session for everything: Agenda must queue behind the app's transactions on the same single
 * connection instead of slipping its statements into them through a second one.
 */
export function poolOverKnex(knex: Knex): Pool {
  const client = knex.client as unknown as KnexClient;
  const pool = {
    async query(text: string, values?: unknown[]): Promise<QueryResult> {
      const connection = await client.acquireConnection();
      try {
        return await connection.query(text, values);
      } finally {
        await client.releaseConnection(connection);
      }
    },
    async connect(): Promise<PoolClient> {
      const connection = await client.acquireConnection();
      return Object.assign(Object.create(connection) as PoolClient, {
        query: connection.query.bind(connection),
        release: () => void client.releaseConnection(connection),
      });
    },
    async end(): Promise<void> {},
    on() {
      return pool;
    },
  };
  return pool as unknown as Pool;
}
