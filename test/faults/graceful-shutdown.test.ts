import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnApi, type ApiProcess } from '../helpers/api-process';
import { services } from '../helpers/describe-if';
import { eventually } from '../helpers/eventually';
import { signUp, type Account } from '../helpers/factories';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database';
import { buildOnce, exitWithin, killWorkers } from '../helpers/worker-process';

const LOOPS = 6;

interface Answer {
  status: number;
  closes: boolean;
}

/** One request on the shared keep-alive agent: its status and whether the server closes after it. */
function send(
  agent: Agent,
  port: number,
  options: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, agent, ...options }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, closes: res.headers.connection === 'close' }),
      );
    });
    req.once('error', reject);
    req.end(options.body);
  });
}

describe('SIGTERM under load, with clients on kept-alive connections', () => {
  let database: IsolatedDatabase;
  let api: ApiProcess;
  let account: Account;

  beforeAll(async () => {
    await buildOnce();
    database = await isolatedDatabase('shutdown');
    const storage = services.postgres
      ? database.env
      : { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'inkwell-shutdown-')) };
    api = await spawnApi({
      ...storage,
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      MIGRATE_ON_START: services.postgres ? 'false' : 'true',
      SHUTDOWN_TIMEOUT_MS: '10000',
      LOG_LEVEL: 'info',
    });
    account = await signUp(api.http);
  });

  afterAll(async () => {
    await killWorkers();
    await database?.drop();
  });

  it('when SIGTERM arrives, then /readyz turns 503, requests in flight finish, kept-alive clients are told to close, nothing is reset or fails, and the exit code is 0', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: LOOPS + 2 });
    const auth = { Authorization: `Bearer ${account.accessToken}` };
    const failures: string[] = [];
    const statuses: Record<number, number> = {};
    let sent = 0;
    let sigtermAt = 0;
    let notReadyAt = 0;

    // Clients that keep sending on their kept-alive connections until the server says to close.
    const clients = Array.from({ length: LOOPS }, async (_, n) => {
      for (;;) {
        const write = n % 2 === 1;
        try {
          const answer = await send(agent, api.port, {
            method: write ? 'POST' : 'GET',
            path: write ? '/api/v1/posts' : `/api/v1/users/${account.id}`,
            headers: { ...auth, 'content-type': 'application/json' },
            body: write ? JSON.stringify({ title: 'During shutdown', body: 'Words.' }) : undefined,
          });
          sent++;
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.closes) return;
        } catch (error) {
          failures.push(String(error));
          return;
        }
      }
    });
    // A probe of readiness on a kept-alive connection of its own.
    const probe = (async () => {
      for (;;) {
        try {
          const answer = await send(agent, api.port, {
            method: 'GET',
            path: '/readyz',
            headers: {},
          });
          if (answer.status === 503 && sigtermAt && !notReadyAt) notReadyAt = Date.now();
          if (answer.status !== 200 && !sigtermAt) failures.push(`readyz ${answer.status}`);
          // Asked to close: a new connection for the next probe, until it has said 503.
          if (answer.closes && notReadyAt) return;
        } catch (error) {
          failures.push(`readyz: ${String(error)}`);
          return;
        }
      }
    })();
    // A request in flight across the signal: its head and half its body before, the rest after.
    const body = JSON.stringify({ title: 'Sent across SIGTERM', body: 'Half before, half after.' });
    const slow = connect(api.port, '127.0.0.1');
    let slowReply = '';
    slow.on('data', (chunk: Buffer) => (slowReply += chunk.toString()));
    const slowClosed = new Promise<void>((resolve) => slow.once('close', () => resolve()));
    slow.on('error', (error) => failures.push(`slow request: ${String(error)}`));
    slow.write(
      `POST /api/v1/posts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth.Authorization}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
        body.slice(0, 10),
    );

    await eventually(() => (sent >= 50 ? true : undefined), 'requests under way');
    sigtermAt = Date.now();
    api.process.kill('SIGTERM');
    await eventually(() => (notReadyAt ? true : undefined), '/readyz to answer 503');
    slow.write(body.slice(10));

    await Promise.all([...clients, probe]);
    await slowClosed;
    const exit = await exitWithin(api.process, 60_000);
    agent.destroy();

    console.log(
      `SIGTERM: ${sent} requests answered ${JSON.stringify(statuses)}, ${failures.length} failed; ` +
        `/readyz 503 after ${notReadyAt - sigtermAt} ms; exit ${exit.code} after ${exit.at - sigtermAt} ms`,
    );
    expect(failures).toEqual([]);
    expect(Object.keys(statuses).sort()).toEqual(['200', '201']);
    expect(slowReply).toMatch(/^HTTP\/1\.1 201 /);
    expect(slowReply).toMatch(/\r\nConnection: close\r\n/i);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(api.process.output()).toMatch(/"msg":"stopped"/);
  });
});
