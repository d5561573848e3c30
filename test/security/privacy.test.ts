import { signUp, type Account } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

const PRIVATE_FIELDS = ['email', 'role', 'email_verified'];

describe('privacy of e-mail addresses', () => {
  let t: TestApp;
  let me: Account;
  let other: Account;
  let admin: Account;
  beforeAll(async () => {
    t = await startTestApp();
    [me, other, admin] = [await signUp(t.http), await signUp(t.http), await signUp(t.http)];
    await t.container.services.users.setRole(admin.email, 'admin');
  });
  afterAll(() => t.close());

  const getUser = (viewer: Account, id: number, query = '') =>
    t.http.get(`/api/v1/users/${id}${query}`).set(viewer.auth).expect(200);

  /** Every page of users, as the viewer sees it. */
  async function everyone(viewer: Account) {
    const items: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=100&include=posts${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.http.get(`/api/v1/users?${query}`).set(viewer.auth).expect(200);
      items.push(...res.body.items);
      cursor = res.body.next_cursor;
    } while (cursor);
    return items;
  }

  it('when a user reads another user, then the profile has no e-mail address and no role', async () => {
    for (const query of ['', '?include=posts']) {
      const res = await getUser(me, other.id, query);
      expect(Object.keys(res.body)).toEqual(expect.arrayContaining(['id', 'name', 'created_at']));
      for (const field of PRIVATE_FIELDS) expect(res.body).not.toHaveProperty(field);
      expect(res.text).not.toContain(other.email);
    }
  });

  it('when a user lists users, then no e-mail address but their own is in it', async () => {
    const items = await everyone(me);
    expect(items.length).toBeGreaterThanOrEqual(3);
    for (const item of items) {
      if (item.id === me.id) expect(item.email).toBe(me.email);
      else for (const field of PRIVATE_FIELDS) expect(item).not.toHaveProperty(field);
    }
  });

  it('when a user reads their own profile by id, then it is the full user', async () => {
    const res = await getUser(me, me.id);
    expect(res.body).toMatchObject({ id: me.id, email: me.email, role: 'user' });
  });

  it('when an admin reads or lists users, then they see e-mail addresses and roles', async () => {
    expect((await getUser(admin, other.id)).body).toMatchObject({
      email: other.email,
      role: 'user',
    });
    const items = await everyone(admin);
    expect(items.find((item) => item.id === other.id)).toMatchObject({ email: other.email });
  });

  it('when the viewer changes, then the ETag changes with what they may see', async () => {
    const seenByUser = await getUser(me, other.id);
    const seenByAdmin = await getUser(admin, other.id);
    expect(seenByUser.headers.etag).not.toBe(seenByAdmin.headers.etag);
  });
});
