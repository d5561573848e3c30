import type { TaskName, TaskPayloads } from '../kernel/task-queue';
import type { TaskDefinition } from '../platform/tasks/task-runtime';

/** One of the application's tasks, as the task runtime runs it. */
export type Task<N extends TaskName = TaskName> = TaskDefinition<TaskPayloads, N>;
