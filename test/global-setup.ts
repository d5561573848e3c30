import { rmSync } from 'node:fs';
import knex from 'knex';
import { migrateLatest } from '../src/platform/database/migrate';
import { COVERAGE_DIR } from './helpers/contract-validator';

/** Migrates the real test database once, before the suites share it. */
export default async function globalSetup(): Promise<void> {
  rmSync(COVERAGE_DIR, { recursive: true, force: true });
  const url = process.env.DATABASE_URL;
  console.log(
    `\ntests run against ${url ? 'PostgreSQL' : 'embedded PGlite'} and ${process.env.REDIS_URL ? 'Redis' : 'the in-process cache'}`,
  );
  if (!url) return;
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await migrateLatest(db);
  } finally {
    await db.destroy();
  }
}
