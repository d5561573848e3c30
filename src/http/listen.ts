import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';

/** The request and response classes a server makes, when not node:http's own. */
export interface ServerClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

export interface ListenOptions {
  host: string;
  port: number;
  /** A client must send its whole request head within this time. */
  headersTimeoutMs: number;
  /** …and its whole request, body included, within this one. */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are refused at once. */
  maxConnections: number;
}

/**
 * An HTTP server that slow or idle clients cannot hold open: Node checks the header and request
 * deadlines only every `connectionsCheckingInterval`, so it is set from the shortest of them.
 */
export async function listen(
  handler: RequestListener,
  options: ListenOptions,
  classes?: ServerClasses,
): Promise<Server> {
  const server = createServer(
    {
      ...classes,
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(1_000, options.headersTimeoutMs / 2, options.requestTimeoutMs / 2),
      ),
    },
    handler,
  );
  server.maxConnections = options.maxConnections;
  server.listen(options.port, options.host);
  await new Promise<void>((resolve, reject) =>
    server.once('listening', resolve).once('error', reject),
  );
  return server;
}
