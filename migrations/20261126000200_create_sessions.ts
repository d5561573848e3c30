import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (table) => {
    table.uuid('id').primary();
    table.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('revoked_at', { useTz: true });
    table.text('revoked_reason');
    table.index(['user_id'], 'sessions_user_id_idx');
  });
  await knex.schema.createTable('refresh_tokens', (table) => {
    table.bigInteger('id').primary().notNullable();
    table.uuid('session_id').notNullable().references('sessions.id').onDelete('CASCADE');
    table.text('token_hash').notNullable().unique({ indexName: 'refresh_tokens_token_hash_key' });
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('used_at', { useTz: true });
    table.index(['session_id'], 'refresh_tokens_session_id_idx');
  });
  await knex.raw('alter table refresh_tokens alter column id add generated always as identity');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refresh_tokens');
  await knex.schema.dropTable('sessions');
}
