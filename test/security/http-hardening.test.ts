import { connect, type Socket } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { listen } from '../../src/http/listen';
import { startTestApp, type TestApp } from '../helpers/test-app';

const TOKEN = 'a-metrics-token-of-some-length';

/** Resolves when the server closes the socket (or it ends), with what the server sent. */
const closedBy = (socket: Socket) =>
  new Promise<string>((resolve) => {
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(received));
  });

const open = (server: Server) =>
  new Promise<Socket>((resolve, reject) => {
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    const socket = connect(address.port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });

describe('the HTTP server', () => {
  let server: Server;
  beforeAll(async () => {
    const app = express().get('/', (_req, res) => void res.send('ok'));
    server = await listen(app, {
      host: '127.0.0.1',
      port: 0,
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
      keepAliveTimeoutMs: 300,
      maxConnections: 3,
    });
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

  it('when a client sends its headers slowly, then the server answers 408 and closes the connection', async () => {
    const socket = await open(server);
    const closed = closedBy(socket);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
    expect(await closed).toMatch(/^HTTP\/1\.1 408/);
  });

  it('when a client holds a body open, then the server closes the connection', async () => {
    const socket = await open(server);
    const closed = closedBy(socket);
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
    expect(await closed).toMatch(/^HTTP\/1\.1 408/);
  });

  it('when more connections arrive than the cap, then the extra ones are closed at once', async () => {
    const held = await Promise.all([open(server), open(server), open(server)]);
    try {
      const extra = await open(server);
      const closed = closedBy(extra);
      extra.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await closed).toBe('');
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});

describe('security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN: TOKEN });
  });
  afterAll(() => t.close());

  it('when any API response is sent, then it carries nosniff, no framing and no referrer', async () => {
    const res = await t.http.get('/healthz').expect(200);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('when /docs is served, then it keeps its own content security policy', async () => {
    const res = await t.http.get('/docs').expect(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('when /metrics is asked without the token, then returns 401; with it, the metrics', async () => {
    await t.http.get('/metrics').expect(401);
    await t.http
      .get('/metrics')
      .set('Authorization', 'Bearer wrong-token-of-some-length')
      .expect(401);
    const res = await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.text).toContain('# HELP');
  });
});

describe('metrics on a port of their own', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ METRICS_PORT: '0' });
  });
  afterAll(() => t.close());

  it('when METRICS_PORT is set, then the API port does not serve /metrics', async () => {
    const res = await t.http.get('/metrics');
    expect(res.status).toBe(404);
  });
});
