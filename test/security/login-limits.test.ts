import { randomInt, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { PASSWORD, register, uniqueEmail } from '../helpers/factories';
import type { ContractClient } from '../helpers/http-client';
import { expectProblem } from '../helpers/problems';
import { startTestApp, type TestApp } from '../helpers/test-app';

const LOGIN = '/api/v1/auth/login';

/** An address of its own, as the proxy in front of the app (TRUST_PROXY=1) would append it. */
const someAddress = () => `10.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** A login from `via` (X-Forwarded-For), by default from an address no other guess uses. */
const guess = (http: ContractClient, username: string, password: string, via = someAddress()) =>
  http.post(LOGIN).type('form').set('X-Forwarded-For', via).send({ username, password });

const statuses = (responses: Response[]) =>
  responses.reduce<Record<number, number>>((count, res) => {
    count[res.status] = (count[res.status] ?? 0) + 1;
    return count;
  }, {});

/** Limiter counters live in Redis when it is configured: a key prefix per app keeps runs apart. */
const isolated = (env: Record<string, string>) => ({
  CACHE_KEY_PREFIX: `t-${randomUUID().slice(0, 8)}:`,
  ...env,
});

describe('login limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(
      isolated({ LOGIN_MAX_FAILURES: '5', LOGIN_MAX_FAILURES_PER_ADDRESS: '3', TRUST_PROXY: '1' }),
    );
  });
  afterAll(() => t.close());

  it('when 30 wrong passwords for one account arrive at once from 30 addresses, then 5 are checked and 25 get 429', async () => {
    const user = await register(t.http);
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => guess(t.http, user.email, `wrong password ${i}`)),
    );
    expect(statuses(responses)).toEqual({ 401: 5, 429: 25 });
    for (const res of responses.filter((r) => r.status === 429)) {
      expectProblem(res, 429, 'too-many-requests');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    // The right password is refused too while the account is locked.
    expectProblem(await guess(t.http, user.email, PASSWORD), 429, 'too-many-requests');
  });

  it('when the account is locked, then no spelling of its e-mail (case, İ, decomposed) gets a fresh count', async () => {
    const email = uniqueEmail('iris');
    await register(t.http, { email });
    const [local, domain] = email.split('@') as [string, string];
    for (let i = 0; i < 5; i += 1) await guess(t.http, email, `wrong password ${i}`).expect(401);
    for (const variant of [email.toUpperCase(), ` ${local}@${domain.toUpperCase()} `]) {
      expectProblem(await guess(t.http, variant, PASSWORD), 429, 'too-many-requests');
    }
    // U+0130 lower-cases to "i̇" in JavaScript but to "i" (or itself) in PostgreSQL: whatever the
    // variant means, it must never reach this account with a count of its own.
    for (const variant of [`İ${local.slice(1)}@${domain}`, `I\u0307${local.slice(1)}@${domain}`]) {
      const res = await guess(t.http, variant, PASSWORD);
      expect(res.status).not.toBe(200);
    }
  });

  it('when İ variants of one address guess, then they share one count', async () => {
    const address = `İ${uniqueEmail('variant').slice(1)}`;
    const spellings = [address, address.toLowerCase(), address.replace('İ', 'I\u0307')];
    const responses: Response[] = [];
    for (let i = 0; i < 6; i += 1) {
      responses.push(await guess(t.http, spellings[i % 3] as string, `wrong password ${i}`));
    }
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('when a client spoofs X-Forwarded-For, then it is limited by the address the proxy saw', async () => {
    const proxySaw = someAddress();
    const responses: Response[] = [];
    for (let i = 0; i < 4; i += 1) {
      const spoofed = `203.0.113.${i + 1}`;
      responses.push(await guess(t.http, uniqueEmail(), PASSWORD, `${spoofed}, ${proxySaw}`));
    }
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    // Another client behind the same proxy is not affected.
    await guess(t.http, uniqueEmail(), PASSWORD, `203.0.113.1, ${someAddress()}`).expect(401);
  });

  it('when the right password follows failures, then it logs in and gives its attempt back', async () => {
    const user = await register(t.http);
    const via = someAddress();
    await guess(t.http, user.email, 'wrong password 1', via).expect(401);
    await guess(t.http, user.email, 'wrong password 2', via).expect(401);
    for (let i = 0; i < 3; i += 1) await guess(t.http, user.email, PASSWORD, via).expect(200);
  });
});

const describeRedis = process.env.REDIS_URL ? describe : describe.skip;

describeRedis('login limits across processes', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = isolated({ LOGIN_MAX_FAILURES: '5', TRUST_PROXY: '1' });
    [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('when 30 wrong passwords are split between two API processes, then 5 are checked in all', async () => {
    const user = await register(a.http);
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        guess(i % 2 ? a.http : b.http, user.email, `wrong password ${i}`),
      ),
    );
    expect(statuses(responses)).toEqual({ 401: 5, 429: 25 });
  });
});
