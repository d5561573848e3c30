import type { Knex } from 'knex';

/**
 * Export limits: each export asked for is recorded apart from its job, so that a daily quota still
 * counts exports whose job and result have expired and been deleted; finished jobs are found by
 * age for that deletion.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('export_requests', (table) => {
    table.bigInteger('id').primary().notNullable();
    table.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE');
    table.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['user_id', 'requested_at'], 'export_requests_user_id_requested_at_idx');
    table.index(['requested_at'], 'export_requests_requested_at_idx');
  });
  await knex.raw('alter table export_requests alter column id add generated always as identity');
  await knex.raw(
    'create index jobs_finished_at_idx on jobs (finished_at) where finished_at is not null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index jobs_finished_at_idx');
  await knex.schema.dropTable('export_requests');
}
