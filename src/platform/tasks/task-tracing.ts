import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemoryNotificationChannel } from 'agenda';

/**
 * Runs one attempt of a task as a trace of its own (`task <name>`), so that with tracing on its
 * queries and commands form a trace like a request's; never inside the trace of the request that
 * enqueued it, whichever process runs it. Without a tracer provider (tracing off) the API hands out
 * spans that record nothing.
 */
export function inTaskSpan<T>(
  name: string,
  attributes: { id: string; attempt: number },
  run: () => Promise<T>,
): Promise<T> {
  return trace.getTracer('inkwell').startActiveSpan(
    `task ${name}`,
    {
      root: true,
      kind: SpanKind.CONSUMER,
      attributes: { 'inkwell.task.id': attributes.id, 'inkwell.task.attempt': attributes.attempt },
    },
    async (span) => {
      try {
        return await run();
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * Agenda's in-process channel (the embedded database) calls its listeners in the publisher's
 * context: the job runner would go on polling inside the trace of the request that enqueued a
 * task. This one delivers outside any trace.
 */
export class UntracedNotificationChannel extends InMemoryNotificationChannel {
  override publish(notification: Parameters<InMemoryNotificationChannel['publish']>[0]) {
    return context.with(ROOT_CONTEXT, () => super.publish(notification));
  }
}
