import type { Knex } from 'knex';
import type { TaskQueue } from '../../kernel/task-queue';
import type { PostService } from '../posts';
import type { UserService } from '../users';
import { ExportRepository } from './export-repository';
import { ExportService } from './export-service';

export interface ExportsModuleDeps {
  knex: Knex;
  users: UserService;
  posts: PostService;
  queue: TaskQueue;
  /** Posts read and written per chunk: what memory holds at a time. */
  batchSize: number;
  /** How long a finished export is kept before it is deleted with its result. */
  resultTtlSeconds: number;
  /** Exports one user may ask for in any 24 hours. */
  dailyQuota: number;
}

export function createExportsModule(deps: ExportsModuleDeps) {
  const { knex, ...rest } = deps;
  const exports = new ExportService({ exports: new ExportRepository(knex), ...rest });
  return { exports };
}
