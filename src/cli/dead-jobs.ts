import { loadConfig } from '../config';
import { createDatabase } from '../platform/database/create-database';
import { DeadLetters } from '../platform/tasks/dead-letters';

/** Operator command: jobs whose every attempt failed, newest first. */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await createDatabase(config.database);
  try {
    const dead = await new DeadLetters(database.knex).list();
    if (dead.length === 0) {
      console.log('no dead jobs');
      return;
    }
    for (const job of dead) {
      console.log(
        `${job.failedAt.toISOString()}  ${job.name}  attempts=${job.attempts}  job=${job.agendaJobId}\n` +
          `    error: ${job.error}\n    data:  ${JSON.stringify(job.data)}`,
      );
    }
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
