import { rmSync } from 'node:fs';
import knex from 'knex';
import { migrateLatest } from '../src/platform/database/migrate';
import { COVERAGE_DIR } from './helpers/contract-validator';
import { prepareEmbeddedSnapshot } from './helpers/embedded-snapshot';

/**
 * Migrates the real test database once, before the suites share it; on the embedded default,
 * prepares the migrated snapshot every test app starts from.
 */
export default async function globalSetup(): Promise<void> {
  rmSync(COVERAGE_DIR, { recursive: true, force: true });
  const url = process.env.DATABASE_URL;
  const redis = Boolean(process.env.REDIS_URL);
  console.log(
    `\ntests run against ${url ? 'PostgreSQL' : 'embedded PGlite'} and ${redis ? 'Redis' : 'the in-process cache'}` +
      (url && redis
        ? ''
        : '; suites that need PostgreSQL or Redis are skipped and listed at the end'),
  );
  if (!url) {
    await prepareEmbeddedSnapshot();
    return;
  }
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await migrateLatest(db);
  } finally {
    await db.destroy();
  }
}
