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
}

export function createExportsModule(deps: ExportsModuleDeps) {
  const { users, posts, queue, batchSize } = deps;
  const exports = new ExportService({
    exports: new ExportRepository(deps.knex),
    users,
    posts,
    queue,
    batchSize,
  });
  return { exports };
}
