import { ConfigError, loadConfig } from '../config';
import { createDatabase } from '../platform/database/create-database';
import { migrateLatest, migrateRollback } from '../platform/database/migrate';

const USAGE = 'usage: npm run migrate -- [latest | rollback | rollback-all]';

/** Operator command: applies or reverts migrations on the configured database. */
async function main(command = 'latest'): Promise<void> {
  if (!['latest', 'rollback', 'rollback-all'].includes(command)) throw new Error(USAGE);
  const config = loadConfig();
  const database = await createDatabase(config.database);
  try {
    const names =
      command === 'latest'
        ? await database.unbounded(migrateLatest)
        : await database.unbounded((knex) => migrateRollback(knex, command === 'rollback-all'));
    const verb = command === 'latest' ? 'applied' : 'reverted';
    console.log(names.length ? `${verb}: ${names.join(', ')}` : `nothing to do (${command})`);
  } finally {
    await database.close();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
