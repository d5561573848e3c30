import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface TracingSettings {
  /** OTLP/HTTP base address (OTEL_EXPORTER_OTLP_ENDPOINT); spans are sent to `/v1/traces` there. */
  endpoint: string;
  serviceName: string;
}

export interface Tracing {
  /** Sends the spans still buffered (waiting at most FLUSH_LIMIT_MS), then stops. */
  shutdown(): Promise<void>;
}

/** How long stopping waits for the last spans to be sent: a collector that is down costs them. */
const FLUSH_LIMIT_MS = 2_000;

/** Probes and scrapes: frequent, alike, and no one's request. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * OpenTelemetry traces over OTLP/HTTP (JSON): a server span per HTTP request, with the PostgreSQL
 * queries and Redis commands it causes as its descendants. Instrumentations patch a library when
 * it is loaded, so this runs before pg and ioredis are: process entries import it (dynamically,
 * and only when tracing is configured, so that otherwise no SDK is loaded) before the rest.
 * Queries and commands outside a request (the task runtime polling) make no spans of their own.
 */
export function startTracing(settings: TracingSettings): Tracing {
  const exporter = new OTLPTraceExporter({
    url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces`,
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        disableOutgoingRequestInstrumentation: true,
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
      }),
      // SQL statements without their parameters, Redis command names without their keys or
      // values: spans carry no password hash, token or session id.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      new IORedisInstrumentation({
        requireParentSpan: true,
        dbStatementSerializer: (name) => name,
      }),
    ],
  });
  return {
    async shutdown() {
      unregister();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_LIMIT_MS)));
      await Promise.race([provider.shutdown().catch(() => undefined), late]);
      clearTimeout(timer);
    },
  };
}
