import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('posts', (table) => {
    table.bigInteger('id').primary().notNullable();
    table.bigInteger('author_id').notNullable().references('users.id').onDelete('CASCADE');
    table.text('title').notNullable();
    table.text('body').notNullable();
    // Bumped by every update; conditional writes (If-Match) compare it atomically.
    table.integer('version').notNullable().defaultTo(1);
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('alter table posts alter column id add generated always as identity');
  // Serves the author filter and each author's newest posts (include=posts), newest first.
  await knex.raw('create index posts_author_id_id_idx on posts (author_id, id desc)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('posts');
}
