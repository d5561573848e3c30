import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knex from 'knex';
import type { Config } from '../../src/config';
import { startEmbeddedPostgres } from '../../src/platform/database/embedded-postgres';
import { migrateLatest } from '../../src/platform/database/migrate';

/** Where the global setup tells the test files (other processes) the run's snapshot is. */
const VARIABLE = 'INKWELL_TEST_EMBEDDED_SNAPSHOT';

/**
 * Once per run: an embedded database, migrated, written to a file. Every test app then starts its
 * in-memory database from this file instead of running initdb and the migrations again.
 */
export async function prepareEmbeddedSnapshot(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'inkwell-test-snapshot-'));
  const file = path.join(dir, 'migrated.tar');
  const embedded = await startEmbeddedPostgres('memory://');
  const db = knex({
    client: 'pg',
    connection: { host: embedded.socketDir, port: embedded.port, user: 'postgres' },
    pool: { min: 0, max: 1 },
  });
  try {
    try {
      await migrateLatest(db);
    } finally {
      await db.destroy();
    }
    await embedded.snapshot(file);
  } finally {
    await embedded.stop();
  }
  process.env[VARIABLE] = file;
}

export function removeEmbeddedSnapshot(): void {
  const file = process.env[VARIABLE];
  if (file) rmSync(path.dirname(file), { recursive: true, force: true });
}

/** The config with the run's snapshot, when the database is an in-memory embedded one. */
export function fromSnapshot(config: Config): Config {
  const file = process.env[VARIABLE];
  const { database } = config;
  if (!file || database.kind !== 'embedded' || database.dataDir !== 'memory://') return config;
  return { ...config, database: { ...database, snapshot: file } };
}
