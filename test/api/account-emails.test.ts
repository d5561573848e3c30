import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { eventually } from '../helpers/eventually';
import { PASSWORD, login, register, signUp, uniqueEmail } from '../helpers/factories';
import type { ContractClient } from '../helpers/http-client';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database';
import { expectInvalid, expectProblem } from '../helpers/problems';
import type { ReceivedMail, SmtpSink } from '../helpers/smtp-sink';
import { startSmtpTestApp, stopSmtpTestApp } from '../helpers/smtp-test-app';
import { startTestApp, type TestApp } from '../helpers/test-app';

const VERIFY = '/api/v1/auth/verify-email';
const RESET = '/api/v1/auth/password-reset';
const CONFIRM = '/api/v1/auth/password-reset/confirm';
const ME = '/api/v1/users/me';
const NEW_PASSWORD = 'a brand new horse battery';
const BASE_URL = 'http://inkwell.test:8080';

/** The token sits alone on an indented line of the mail (32 random bytes, base64url). */
function tokenIn(mail: ReceivedMail): string {
  const match = /^ {2}([\w-]{43})$/m.exec(mail.text);
  if (!match?.[1]) throw new Error(`no token in the mail:\n${mail.text}`);
  return match[1];
}

const getMe = (http: ContractClient, accessToken: string) =>
  http.get(ME).set('Authorization', `Bearer ${accessToken}`);
const loginAs = (http: ContractClient, username: string, password: string) =>
  http.post('/api/v1/auth/login').type('form').send({ username, password });

function expectInvalidToken(res: Response): void {
  expectProblem(res, 400, 'invalid-token');
  expect(res.body.errors).toEqual([
    expect.objectContaining({ location: 'body', pointer: '/token' }),
  ]);
}

describe('account e-mails through a real SMTP server', () => {
  let db: IsolatedDatabase;
  let sink: SmtpSink;
  let t: TestApp;
  const knex = () => t.container.database.knex;

  beforeAll(async () => {
    ({ db, sink, t } = await startSmtpTestApp('account_emails', {
      PUBLIC_BASE_URL: BASE_URL,
      JOB_BACKOFF_BASE_MS: '200',
    }));
  });
  afterAll(() => stopSmtpTestApp({ db, sink, t }));

  const welcomeMailFor = (email: string) =>
    sink.waitForMail((mail) => mail.to.includes(email) && /^Welcome/.test(mail.subject));
  const resetMailsFor = (email: string) =>
    sink.mailsTo(email).filter((mail) => /^Reset/.test(mail.subject));
  /** Asks for a reset and returns the token of the reset e-mail it causes. */
  async function resetTokenFor(email: string): Promise<string> {
    const before = resetMailsFor(email).length;
    await t.http.post(RESET).send({ email }).expect(202);
    await eventually(() => resetMailsFor(email)[before], `reset e-mail #${before + 1} to ${email}`);
    return tokenIn(resetMailsFor(email)[before] as ReceivedMail);
  }

  describe('POST /auth/verify-email', () => {
    it('when the token from the welcome e-mail is sent, then returns 204 and the user is verified', async () => {
      const account = await signUp(t.http);
      expect((await getMe(t.http, account.accessToken).expect(200)).body.email_verified).toBe(
        false,
      );

      const mail = await welcomeMailFor(account.email);
      const token = tokenIn(mail);
      expect(mail.text).toContain(`${BASE_URL}/api/v1/auth/verify-email`);
      const res = await t.http.post(VERIFY).send({ token }).expect(204);

      expect(res.text).toBe('');
      expect((await getMe(t.http, account.accessToken).expect(200)).body.email_verified).toBe(true);
    });

    it('when the same token is sent a second time, then returns 400 with a pointer to /token', async () => {
      const user = await register(t.http);
      const token = tokenIn(await welcomeMailFor(user.email));
      await t.http.post(VERIFY).send({ token }).expect(204);
      expectInvalidToken(await t.http.post(VERIFY).send({ token }));
    });

    it('when the token is unknown, then returns 400 with a pointer to /token', async () => {
      expectInvalidToken(await t.http.post(VERIFY).send({ token: 'A'.repeat(43) }));
    });

    it('when the token has expired, then returns 400 and the user stays unverified', async () => {
      const account = await signUp(t.http);
      const token = tokenIn(await welcomeMailFor(account.email));
      await knex()('user_tokens')
        .where({ user_id: account.id, purpose: 'verify-email' })
        .update({ expires_at: knex().raw("now() - interval '1 second'") });

      expectInvalidToken(await t.http.post(VERIFY).send({ token }));
      expect((await getMe(t.http, account.accessToken).expect(200)).body.email_verified).toBe(
        false,
      );
    });

    it.each([
      ['the token is missing', {}, '/token'],
      ['the token is empty', { token: '' }, '/token'],
      ['an unknown field is sent', { token: 'A'.repeat(43), email: 'a@example.com' }, '/email'],
    ])('when %s, then returns 400 with a pointer to it', async (_case, body, pointer) => {
      expectInvalid(await t.http.post(VERIFY).send(body), 'body', pointer);
    });

    it('when the body is a form instead of JSON, then returns 415', async () => {
      const res = await t.http
        .post(VERIFY)
        .type('form')
        .send({ token: 'A'.repeat(43) });
      expectProblem(res, 415, 'unsupported-media-type');
    });
  });

  describe('POST /auth/password-reset', () => {
    it('when the e-mail has an account, then returns 202 and a reset e-mail arrives with a token for 30 minutes', async () => {
      const user = await register(t.http);
      const res = await t.http.post(RESET).send({ email: user.email }).expect(202);
      expect(res.text).toBe('');

      const mail = await sink.waitForMail(
        (m) => m.to.includes(user.email) && /^Reset/.test(m.subject),
      );
      expect(mail.text).toContain('30 minutes');
      expect(mail.text).toContain(tokenIn(mail));
      const row = await knex()('user_tokens')
        .where({ user_id: user.id, purpose: 'password-reset' })
        .first(knex().raw('extract(epoch from expires_at - created_at)::int as ttl'));
      expect(row.ttl).toBeGreaterThanOrEqual(1795);
      expect(row.ttl).toBeLessThanOrEqual(1800);
    });

    it('when the e-mail has no account, then returns the same 202 and no e-mail is sent', async () => {
      const unknown = uniqueEmail('nobody');
      const res = await t.http.post(RESET).send({ email: unknown }).expect(202);
      expect(res.text).toBe('');

      // The job ran to its end (so a mail would have been sent by now) and sent nothing.
      await eventually(async () => {
        const job = await knex()('agenda_jobs')
          .where({ name: 'send-password-reset-email' })
          .whereRaw("data->>'email' = ?", [unknown])
          .whereNotNull('last_finished_at')
          .first();
        return job ?? undefined;
      }, `the reset job for ${unknown} to finish`);
      expect(sink.attemptsFor(unknown)).toEqual([]);
    });

    it.each([
      ['the e-mail is missing', {}, '/email'],
      ['the e-mail is not an address', { email: 'not-an-e-mail' }, '/email'],
      ['an unknown field is sent', { email: uniqueEmail(), user_id: 1 }, '/user_id'],
    ])('when %s, then returns 400 with a pointer to it', async (_case, body, pointer) => {
      expectInvalid(await t.http.post(RESET).send(body), 'body', pointer);
    });

    it('when the body is a form instead of JSON, then returns 415', async () => {
      const res = await t.http.post(RESET).type('form').send({ email: uniqueEmail() });
      expectProblem(res, 415, 'unsupported-media-type');
    });
  });

  describe('POST /auth/password-reset/confirm', () => {
    it('when the mailed token and a new password are sent, then returns 204, every session ends at once and only the new password works', async () => {
      const account = await signUp(t.http);
      const other = await login(t.http, account.email);
      const token = await resetTokenFor(account.email);

      const res = await t.http.post(CONFIRM).send({ token, new_password: NEW_PASSWORD });
      expect(res.status).toBe(204);

      for (const session of [account, other]) {
        expectProblem(await getMe(t.http, session.accessToken), 401, 'unauthorized');
        const refresh = await t.http
          .post('/api/v1/auth/refresh')
          .send({ refresh_token: session.refreshToken });
        expectProblem(refresh, 401, 'invalid-credentials');
      }
      expectProblem(await loginAs(t.http, account.email, PASSWORD), 401, 'invalid-credentials');
      await loginAs(t.http, account.email, NEW_PASSWORD).expect(200);
    });

    it('when the token is used a second time, then returns 400 and the first new password stays', async () => {
      const user = await register(t.http);
      const token = await resetTokenFor(user.email);
      await t.http.post(CONFIRM).send({ token, new_password: NEW_PASSWORD }).expect(204);

      const again = await t.http
        .post(CONFIRM)
        .send({ token, new_password: 'yet another password' });
      expectInvalidToken(again);
      await loginAs(t.http, user.email, NEW_PASSWORD).expect(200);
    });

    it('when the token has expired, then returns 400 and the password is unchanged', async () => {
      const user = await register(t.http);
      const token = await resetTokenFor(user.email);
      await knex()('user_tokens')
        .where({ user_id: user.id, purpose: 'password-reset' })
        .update({ expires_at: knex().raw("now() - interval '1 second'") });

      expectInvalidToken(await t.http.post(CONFIRM).send({ token, new_password: NEW_PASSWORD }));
      await loginAs(t.http, user.email, PASSWORD).expect(200);
    });

    it('when a newer reset was asked for, then the older token no longer works and the newer one does', async () => {
      const user = await register(t.http);
      const older = await resetTokenFor(user.email);
      const newer = await resetTokenFor(user.email);
      expect(newer).not.toBe(older);

      expectInvalidToken(
        await t.http.post(CONFIRM).send({ token: older, new_password: NEW_PASSWORD }),
      );
      await t.http.post(CONFIRM).send({ token: newer, new_password: NEW_PASSWORD }).expect(204);
    });

    it('when the new password is too short, then returns 400 with a pointer to /new_password and the token still works', async () => {
      const user = await register(t.http);
      const token = await resetTokenFor(user.email);

      const res = await t.http.post(CONFIRM).send({ token, new_password: 'short' });
      expectInvalid(res, 'body', '/new_password');
      await t.http.post(CONFIRM).send({ token, new_password: NEW_PASSWORD }).expect(204);
    });

    it.each([
      ['the token is missing', { new_password: NEW_PASSWORD }, '/token'],
      ['the new password is missing', { token: 'A'.repeat(43) }, '/new_password'],
      [
        'an unknown field is sent',
        { token: 'A'.repeat(43), new_password: NEW_PASSWORD, id: 1 },
        '/id',
      ],
    ])('when %s, then returns 400 with a pointer to it', async (_case, body, pointer) => {
      expectInvalid(await t.http.post(CONFIRM).send(body), 'body', pointer);
    });

    it('when the token is unknown, then returns 400 with a pointer to /token', async () => {
      const res = await t.http
        .post(CONFIRM)
        .send({ token: 'A'.repeat(43), new_password: NEW_PASSWORD });
      expectInvalidToken(res);
    });

    it('when the body is a form instead of JSON, then returns 415', async () => {
      const form = { token: 'A'.repeat(43), new_password: NEW_PASSWORD };
      expectProblem(
        await t.http.post(CONFIRM).type('form').send(form),
        415,
        'unsupported-media-type',
      );
    });
  });

  describe('tokens at rest', () => {
    it('when the welcome and reset e-mails were sent, then only the SHA-256 of their tokens is stored, never the tokens', async () => {
      const user = await register(t.http);
      const tokens = [tokenIn(await welcomeMailFor(user.email)), await resetTokenFor(user.email)];

      const hashes = await knex()('user_tokens').where({ user_id: user.id }).pluck('token_hash');
      for (const token of tokens) {
        expect(hashes).toContain(createHash('sha256').update(token).digest('hex'));
        for (const table of ['user_tokens', 'emails', 'agenda_jobs', 'dead_jobs']) {
          const [{ count }] = await knex()
            .from(`${table} as row`)
            .whereRaw('strpos(row_to_json(row)::text, ?) > 0', [token])
            .count('* as count');
          expect({ table, count: Number(count) }).toEqual({ table, count: 0 });
        }
      }
    });
  });
});

describe('account e-mails with tight limits (2 KiB bodies, 2 reset requests)', () => {
  let db: IsolatedDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await isolatedDatabase('account_limits');
    t = await startTestApp({
      ...db.env,
      BODY_LIMIT_BYTES: '2048',
      PASSWORD_RESET_MAX_REQUESTS: '2',
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it.each([
    [VERIFY, { token: 'x'.repeat(4096) }],
    [RESET, { email: `${'x'.repeat(4096)}@example.com` }],
    [CONFIRM, { token: 'x'.repeat(4096), new_password: NEW_PASSWORD }],
  ])('when POST %s sends more than the limit, then returns 413', async (path, body) => {
    expectProblem(await t.http.post(path).send(body), 413, 'payload-too-large');
  });

  it('when a third reset is asked for the same e-mail, then returns 429 with Retry-After', async () => {
    const email = uniqueEmail('limited');
    await t.http.post(RESET).send({ email }).expect(202);
    await t.http.post(RESET).send({ email }).expect(202);

    const res = await t.http.post(RESET).send({ email });
    expectProblem(res, 429, 'too-many-requests');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(
      t.container.config.auth.limits.resetRequestsPerAccount.windowSeconds,
    );

    await t.http
      .post(RESET)
      .send({ email: uniqueEmail('other') })
      .expect(202);
  });
});
