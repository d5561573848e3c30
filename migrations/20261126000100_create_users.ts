import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (table) => {
    table.bigInteger('id').primary().notNullable();
    table.text('email').notNullable();
    table.text('name').notNullable();
    table.text('password_hash').notNullable();
    table.text('role').notNullable().defaultTo('user');
    table.boolean('email_verified').notNullable().defaultTo(false);
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.check(`role in ('user', 'admin')`, [], 'users_role_check');
  });
  await knex.raw('alter table users alter column id add generated always as identity');
  await knex.raw('create unique index users_email_lower_key on users (lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
