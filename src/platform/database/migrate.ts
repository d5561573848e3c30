import type { Knex } from 'knex';
import { migrations } from '../../../migrations';

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = migrations[name];
    if (!migration) throw new Error(`Unknown migration ${name}`);
    return migration;
  },
};

const options = { migrationSource: source, tableName: 'knex_migrations' };

const UNDEFINED_TABLE = '42P01';

export async function migrateLatest(knex: Knex): Promise<string[]> {
  if (await upToDate(knex)) return [];
  const [, applied] = (await knex.migrate.latest(options)) as [number, string[]];
  return applied;
}

export async function migrateRollback(knex: Knex, all = false): Promise<string[]> {
  const [, reverted] = (await knex.migrate.rollback(options, all)) as [number, string[]];
  return reverted;
}

/**
 * Whether the database has applied exactly the migrations this code knows: one query, where
 * knex's own check takes a dozen round trips and a lock (most of a start on an up-to-date
 * database). Anything else (a first run, a pending migration, a migration this code does not
 * know) goes through knex, which applies, waits for another process's lock, or refuses.
 */
async function upToDate(knex: Knex): Promise<boolean> {
  let rows: Array<{ name: string }>;
  try {
    rows = await knex(options.tableName).select('name');
  } catch (error) {
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) return false;
    throw error;
  }
  const applied = new Set(rows.map((row) => row.name));
  const known = Object.keys(migrations);
  return applied.size === known.length && known.every((name) => applied.has(name));
}
