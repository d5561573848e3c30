import type { Knex } from 'knex';
import * as createUsers from './20261126000100_create_users';
import * as createSessions from './20261126000200_create_sessions';
import * as createPosts from './20261126000300_create_posts';
import * as createJobsAndMail from './20261126000400_create_jobs_and_mail';
import * as usersEmailKey from './20261202000100_users_email_key';
import * as exportLimits from './20261202090000_export_limits';
import * as emailTokenSeed from './20261202100000_email_token_seed';

/** Every migration, in order. A merged migration is never edited; add a new one instead. */
export const migrations: Record<string, Knex.Migration> = {
  '20261126000100_create_users': createUsers,
  '20261126000200_create_sessions': createSessions,
  '20261126000300_create_posts': createPosts,
  '20261126000400_create_jobs_and_mail': createJobsAndMail,
  '20261202000100_users_email_key': usersEmailKey,
  '20261202090000_export_limits': exportLimits,
  '20261202100000_email_token_seed': emailTokenSeed,
};
