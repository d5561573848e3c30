import type { Knex } from 'knex';
import type { TaskQueue } from '../../kernel/task-queue';
import type { PostService } from '../posts';
import type { UserService } from '../users';
import { ExportRepository } from './export-repository';
import { ExportService } from './export-service';

export interface ExportsPlatform {
  knex: Knex;
  queue: TaskQueue;
}

export interface ExportsSettings {
  /** Posts read and written per chunk: what memory holds at a time. */
  batchSize: number;
  /** How long a finished export is kept before it is deleted with its result. */
  resultTtlSeconds: number;
  /** Exports one user may ask for in any 24 hours. */
  dailyQuota: number;
}

export interface ExportsUses {
  users: UserService;
  posts: PostService;
}

export function createExportsModule(
  platform: ExportsPlatform,
  settings: ExportsSettings,
  uses: ExportsUses,
) {
  const exports = new ExportService({
    exports: new ExportRepository(platform.knex),
    queue: platform.queue,
    ...settings,
    ...uses,
  });
  return { exports };
}
