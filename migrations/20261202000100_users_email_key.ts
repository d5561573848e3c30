import type { Knex } from 'knex';

// A copy, not an import: a migration keeps the behaviour it had when it was merged.
const emailKey = (email: string) => email.trim().normalize('NFKC').toLowerCase().normalize('NFKC');

/**
 * Uniqueness by a key the application computes, instead of PostgreSQL's lower(), whose result
 * depends on the database locale and differs from the application's (`İ`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => table.text('email_key'));
  const rows: Array<{ id: number; email: string }> = await knex('users').select('id', 'email');
  for (const row of rows) {
    await knex('users')
      .where({ id: row.id })
      .update({ email_key: emailKey(row.email) });
  }
  await knex.raw('alter table users alter column email_key set not null');
  await knex.raw('create unique index users_email_key_key on users (email_key)');
  await knex.raw('drop index users_email_lower_key');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('create unique index users_email_lower_key on users (lower(email))');
  await knex.schema.alterTable('users', (table) => table.dropColumn('email_key'));
}
