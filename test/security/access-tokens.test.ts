import { createSecretKey, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { keyId } from '../../src/modules/sessions';
import { signUp } from '../helpers/factories';
import { expectProblem } from '../helpers/problems';
import { startTestApp, type TestApp } from '../helpers/test-app';

const ME = '/api/v1/users/me';
const OLD = randomBytes(48).toString('base64');
const NEW = randomBytes(48).toString('base64');
const now = () => Math.floor(Date.now() / 1000);

describe('access tokens', () => {
  let t: TestApp;
  let claims: { sub: string; sid: string };
  beforeAll(async () => {
    t = await startTestApp({ JWT_SECRET: NEW, JWT_PREVIOUS_SECRETS: OLD });
    const { accessToken } = await signUp(t.http);
    const { sub, sid } = jwt.decode(accessToken) as typeof claims;
    claims = { sub, sid };
  });
  afterAll(() => t.close());

  /** A token with these claims and header, signed with `secret` (the current key by default). */
  function token(
    payload: Record<string, unknown>,
    options: { secret?: string; kid?: string; noTimestamp?: boolean } = {},
  ): string {
    const { issuer, audience } = t.container.accessTokens.options;
    const secret = options.secret ?? NEW;
    return jwt.sign(
      { ...claims, iss: issuer, aud: audience, ...payload },
      createSecretKey(Buffer.from(secret)),
      {
        algorithm: 'HS256',
        keyid: options.kid ?? keyId(secret),
        noTimestamp: options.noTimestamp ?? false,
      },
    );
  }
  const getMe = (accessToken: string) =>
    t.http.get(ME).set('Authorization', `Bearer ${accessToken}`);
  const refused = async (accessToken: string) =>
    expectProblem(await getMe(accessToken), 401, 'unauthorized');

  it('when a token is issued, then it names its key and carries iat and exp', async () => {
    const { accessToken } = await signUp(t.http);
    const decoded = jwt.decode(accessToken, { complete: true })!;
    expect(decoded.header.kid).toBe(keyId(NEW));
    const payload = decoded.payload as jwt.JwtPayload;
    expect(payload.exp! - payload.iat!).toBe(t.container.config.auth.accessTokenTtlSeconds);
  });

  it('when a token signed like the API does is sent, then returns 200 (the forger is sound)', async () => {
    await getMe(token({ exp: now() + 600 })).expect(200);
  });

  it('when a token has no exp, then returns 401', async () => {
    await refused(token({}));
  });

  it('when a token has no iat, then returns 401', async () => {
    await refused(token({ exp: now() + 600 }, { noTimestamp: true }));
  });

  it('when a token was issued in the future, then returns 401', async () => {
    await refused(token({ iat: now() + 3600, exp: now() + 7200 }));
  });

  it('when a token lives longer than the API ever issues, then returns 401', async () => {
    await refused(token({ iat: now() - 2 * 86_400, exp: now() + 86_400 }));
  });

  it('when a token is signed with the previous key, then it still verifies', async () => {
    await getMe(token({ exp: now() + 600 }, { secret: OLD })).expect(200);
  });

  it('when a token names an unknown key, or a key other than the one that signed it, then returns 401', async () => {
    await refused(token({ exp: now() + 600 }, { kid: 'not-a-key' }));
    await refused(token({ exp: now() + 600 }, { secret: OLD, kid: keyId(NEW) }));
    const retired = randomBytes(48).toString('base64');
    await refused(token({ exp: now() + 600 }, { secret: retired }));
  });

  it('when a token that verified before is used again after it expired, then returns 401', async () => {
    const shortLived = token({ exp: now() + 30 });
    await getMe(shortLived).expect(200);
    await getMe(shortLived).expect(200); // remembered as verified
    const at = Date.now();
    const later = jest.spyOn(Date, 'now').mockImplementation(() => at + 60_000);
    try {
      await refused(shortLived);
    } finally {
      later.mockRestore();
    }
  });
});
