import type { Knex } from 'knex';

const identity = (knex: Knex, table: string) =>
  knex.raw(`alter table ${table} alter column id add generated always as identity`);

export async function up(knex: Knex): Promise<void> {
  // Single-use tokens sent by e-mail; only their SHA-256 is kept.
  await knex.schema.createTable('user_tokens', (table) => {
    table.bigInteger('id').primary().notNullable();
    table.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE');
    table.text('purpose').notNullable();
    table.text('token_hash').notNullable().unique({ indexName: 'user_tokens_token_hash_key' });
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('used_at', { useTz: true });
    table.check(`purpose in ('verify-email', 'password-reset')`, [], 'user_tokens_purpose_check');
    table.index(['user_id', 'purpose'], 'user_tokens_user_id_purpose_idx');
  });
  await identity(knex, 'user_tokens');

  // One row per e-mail to send: a retried job sees `sent` and does not send it again.
  await knex.schema.createTable('emails', (table) => {
    table.bigInteger('id').primary().notNullable();
    table.text('idempotency_key').notNullable().unique({ indexName: 'emails_idempotency_key_key' });
    table.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE');
    table.text('kind').notNullable();
    table.text('status').notNullable().defaultTo('queued');
    table.integer('attempts').notNullable().defaultTo(0);
    table.text('message_id');
    table.text('last_error');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('sent_at', { useTz: true });
    table.check(`kind in ('welcome', 'password-reset')`, [], 'emails_kind_check');
    table.check(`status in ('queued', 'sent', 'dead')`, [], 'emails_status_check');
  });
  await identity(knex, 'emails');

  // Jobs as users see them (status, progress); Agenda's own table drives execution.
  await knex.schema.createTable('jobs', (table) => {
    table.bigInteger('id').primary().notNullable();
    table.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE');
    table.text('type').notNullable();
    table.text('status').notNullable().defaultTo('queued');
    table.integer('progress').notNullable().defaultTo(0);
    table.text('error');
    table.jsonb('result_header');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('started_at', { useTz: true });
    table.timestamp('finished_at', { useTz: true });
    table.check(`type in ('export')`, [], 'jobs_type_check');
    table.check(`status in ('queued', 'running', 'succeeded', 'failed')`, [], 'jobs_status_check');
    table.check('progress between 0 and 100', [], 'jobs_progress_check');
  });
  await identity(knex, 'jobs');
  // At most one unfinished export per user, enforced by the database.
  await knex.raw(
    `create unique index jobs_one_active_export_idx on jobs (user_id)
     where type = 'export' and status in ('queued', 'running')`,
  );

  // An export's posts, written batch by batch so no step holds the whole document.
  await knex.schema.createTable('export_chunks', (table) => {
    table.bigInteger('job_id').notNullable().references('jobs.id').onDelete('CASCADE');
    table.integer('seq').notNullable();
    table.bigInteger('last_post_id').notNullable();
    table.integer('count').notNullable();
    table.jsonb('posts').notNullable();
    table.primary(['job_id', 'seq']);
  });

  // Agenda's own table (the shape @agendajs/postgres-backend 3 expects), created here rather than
  // by each process at connect time, so that concurrent starts never race on DDL.
  await knex.raw(`
    create table agenda_jobs (
      id uuid primary key default gen_random_uuid(),
      name varchar(255) not null,
      priority integer not null default 0,
      next_run_at timestamptz,
      type varchar(10) not null default 'normal' check (type in ('normal', 'single')),
      locked_at timestamptz,
      last_finished_at timestamptz,
      failed_at timestamptz,
      fail_count integer default null,
      fail_reason text,
      repeat_timezone varchar(100),
      last_run_at timestamptz,
      repeat_interval varchar(255),
      data jsonb default '{}'::jsonb,
      repeat_at varchar(255),
      disabled boolean default false,
      progress real,
      fork boolean default false,
      last_modified_by varchar(255),
      debounce_started_at timestamptz,
      start_date timestamptz,
      end_date timestamptz,
      skip_days jsonb,
      created_at timestamptz default now(),
      updated_at timestamptz default now()
    )`);
  await knex.raw(`create index agenda_jobs_find_and_lock_idx
    on agenda_jobs (name, next_run_at, priority desc, locked_at, disabled) where disabled = false`);
  await knex.raw(
    `create unique index agenda_jobs_single_job_idx on agenda_jobs (name) where type = 'single'`,
  );
  await knex.raw(
    `create index agenda_jobs_locked_at_idx on agenda_jobs (locked_at) where locked_at is not null`,
  );
  await knex.raw(
    `create index agenda_jobs_next_run_at_idx on agenda_jobs (next_run_at) where next_run_at is not null`,
  );
  await knex.raw(`
    create function update_agenda_jobs_updated_at() returns trigger as $$
    begin
      new.updated_at = now();
      return new;
    end;
    $$ language plpgsql`);
  await knex.raw(`create trigger agenda_jobs_updated_at_trigger before update on agenda_jobs
    for each row execute function update_agenda_jobs_updated_at()`);

  // Agenda has no dead-letter queue: jobs whose attempts are exhausted are kept here.
  await knex.schema.createTable('dead_jobs', (table) => {
    table.bigInteger('id').primary().notNullable();
    table.text('agenda_job_id').notNullable();
    table.text('name').notNullable();
    table.jsonb('data').notNullable();
    table.integer('attempts').notNullable();
    table.text('error').notNullable();
    table.timestamp('failed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await identity(knex, 'dead_jobs');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'dead_jobs',
    'agenda_jobs',
    'export_chunks',
    'jobs',
    'emails',
    'user_tokens',
  ]) {
    await knex.schema.dropTable(table);
  }
  await knex.raw('drop function update_agenda_jobs_updated_at()');
}
