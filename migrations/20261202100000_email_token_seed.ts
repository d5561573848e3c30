import type { Knex } from 'knex';

/**
 * The seed an e-mail's token is derived from (with the server's secret), stored with the e-mail
 * before it is sent: a job retried after the SMTP server accepted it, but before it was recorded
 * as sent, sends the same token again instead of a new one. The token itself is never stored.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('emails', (table) => table.text('token_seed'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('emails', (table) => table.dropColumn('token_seed'));
}
