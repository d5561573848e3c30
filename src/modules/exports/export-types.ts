import type { Post } from '../posts';
import type { User } from '../users';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobRecord {
  id: number;
  userId: number;
  type: 'export';
  status: JobStatus;
  progress: number;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface ExportHeader {
  exportedAt: Date;
  user: User;
}

/** The export document, read back batch by batch so it never sits in memory whole. */
export interface ExportResult {
  header: ExportHeader;
  batches: AsyncIterable<Post[]>;
}
