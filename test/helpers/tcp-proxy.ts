import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * How the proxy treats traffic:
 * - `pass`: forwards both ways;
 * - `refuse`: stops listening and resets every open connection (a database that is down);
 * - `blackhole`: accepts connections and keeps them, but forwards nothing either way (a host
 *   that stopped answering, with no RST);
 * - `slow`: forwards with `delayMs` added to every chunk towards the client (a slow database).
 */
export type ProxyMode = 'pass' | 'refuse' | 'blackhole' | 'slow';

/**
 * A TCP proxy on a loopback port of its own, in front of a real server, that a test switches
 * between modes to put a dependency at fault without touching the dependency itself.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private current: ProxyMode = 'pass';
  private delayMs = 0;
  port = 0;

  constructor(
    private readonly upstreamPort: number,
    private readonly upstreamHost = '127.0.0.1',
  ) {}

  get mode(): ProxyMode {
    return this.current;
  }

  /** Starts listening (on `port` if given, so a restarted proxy keeps its address). */
  async start(port = this.port): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (typeof address === 'object' && address) this.port = address.port;
  }

  async set(mode: ProxyMode, options: { delayMs?: number } = {}): Promise<void> {
    this.delayMs = options.delayMs ?? 0;
    const previous = this.current;
    this.current = mode;
    if (mode === 'refuse') {
      const stopped = this.stopListening();
      this.resetAll();
      await stopped;
      return;
    }
    if (previous === 'refuse') await this.start();
    if (previous === 'blackhole' && mode !== 'blackhole') {
      // What was held back is lost: a host that came back does not replay it. Reset those.
      this.resetAll();
    }
  }

  /** Resets every open connection (a TCP RST from a proxy or a restart), keeps listening. */
  resetAll(): void {
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    await this.set('refuse');
  }

  private async stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.current === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.upstreamPort, this.upstreamHost);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (chunk: Buffer) => {
      if (this.current === 'blackhole') return;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.current === 'blackhole') return;
      if (this.current === 'slow' && this.delayMs > 0) {
        upstream.pause();
        setTimeout(() => {
          if (!client.destroyed) client.write(chunk);
          upstream.resume();
        }, this.delayMs);
        return;
      }
      client.write(chunk);
    });
  }
}

/** A proxy, started, in front of the server of a `postgres://` URL; and that URL through it. */
export async function proxyInFrontOf(
  databaseUrl: string,
): Promise<{ proxy: TcpProxy; url: string }> {
  const direct = new URL(databaseUrl);
  const proxy = new TcpProxy(Number(direct.port || 5432), direct.hostname);
  await proxy.start();
  const viaProxy = new URL(direct);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  return { proxy, url: viaProxy.toString() };
}
