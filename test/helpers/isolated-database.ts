import { randomBytes } from 'node:crypto';
import knex from 'knex';
import { migrateLatest } from '../../src/platform/database/migrate';

export interface IsolatedDatabase {
  /** For startTestApp and spawned workers; empty on the embedded default. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

const connect = (url: string) => knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });

/**
 * On real PostgreSQL: a new, migrated database of this test file's own on the same server, and a
 * cache key prefix of its own in the shared Redis. A worker runs every due job of its database;
 * in the shared one it would run the jobs other test files enqueue, and theirs would run ours. On
 * the embedded default every test app already has an in-memory database of its own.
 */
export async function isolatedDatabase(label: string): Promise<IsolatedDatabase> {
  const shared = process.env.DATABASE_URL;
  if (!shared) return { env: {}, drop: async () => {} };
  const name = `inkwell_test_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = connect(shared);
  try {
    await admin.raw('create database ??', [name]);
  } finally {
    await admin.destroy();
  }
  const url = new URL(shared);
  url.pathname = `/${name}`;
  const db = connect(url.toString());
  try {
    await migrateLatest(db);
  } finally {
    await db.destroy();
  }
  return {
    env: { DATABASE_URL: url.toString(), CACHE_KEY_PREFIX: `test:${name}:` },
    async drop() {
      const dropper = connect(shared);
      try {
        await dropper.raw('drop database if exists ?? with (force)', [name]);
      } finally {
        await dropper.destroy();
      }
    },
  };
}
