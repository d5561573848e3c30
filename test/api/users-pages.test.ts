import type { Account } from '../helpers/factories';
import { register, signUp } from '../helpers/factories';
import { expectInvalid, expectProblem } from '../helpers/problems';
import { startTestApp, type TestApp } from '../helpers/test-app';

const USERS = '/api/v1/users';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

interface UserPage {
  items: { id: number; email: string }[];
  next_cursor: string | null;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function listUsers(account: Account, query: Record<string, string | number> = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) search.set(name, String(value));
  return t.http.get(`${USERS}?${search}`).set(account.auth);
}

async function page(account: Account, limit: number, cursor?: string): Promise<UserPage> {
  const res = await listUsers(account, cursor ? { limit, cursor } : { limit }).expect(200);
  return res.body as UserPage;
}

/**
 * The cursor of the page holding `id`: other suites share the database, so start near our own users
 * instead of reading every page with a small limit.
 */
async function cursorOfPageHolding(account: Account, id: number): Promise<string | undefined> {
  let cursor: string | undefined;
  for (;;) {
    const current = await page(account, 100, cursor);
    if (current.next_cursor === null || current.items.some((user) => user.id >= id)) return cursor;
    cursor = current.next_cursor;
  }
}

async function registerMany(count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1) ids.push((await register(t.http)).id);
  return ids;
}

describe('GET /users', () => {
  it('when a page is asked for, then returns 200 with items and next_cursor', async () => {
    const me = await signUp(t.http);
    await register(t.http);
    const res = await listUsers(me, { limit: 1 }).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['items', 'next_cursor']);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.next_cursor).toEqual(expect.any(String));
    expect(res.headers['cache-control']).toBe('private, no-cache');
    expect(res.text).not.toMatch(/password|hash/i);
  });

  it('when no limit is given, then returns at most 20 users', async () => {
    const me = await signUp(t.http);
    const res = await listUsers(me).expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.length).toBeLessThanOrEqual(20);
  });

  it.each([1, 100])('when limit is %i, then returns 200', async (limit) => {
    const me = await signUp(t.http);
    const res = await listUsers(me, { limit }).expect(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
  });

  it.each(['0', '101', '-1', '2.5', 'ten'])(
    'when limit is %s, then returns 400 pointing at /limit in the query',
    async (limit) => {
      const me = await signUp(t.http);
      expectInvalid(await listUsers(me, { limit }), 'query', '/limit');
    },
  );

  it('when an unknown query parameter is sent, then returns 400 naming it', async () => {
    const me = await signUp(t.http);
    const res = await listUsers(me, { sort: 'name' });
    expectInvalid(res, 'query', '/sort');
  });

  it.each([
    ['garbage', '!!not a cursor!!'],
    ['base64url of plain text', Buffer.from('hello world').toString('base64url')],
    ['base64url of JSON with the wrong field', base64url({ offset: 40 })],
    ['base64url of JSON with an extra field', base64url({ id: 4, role: 'admin' })],
    ['base64url of JSON with a string id', base64url({ id: '4' })],
    ['base64url of JSON with a negative id', base64url({ id: -1 })],
    ['base64url of a JSON array', base64url([4])],
    ['padded base64', `${Buffer.from('{"id":4}').toString('base64')}=`],
    ['empty', ''],
    ['over 200 characters', 'A'.repeat(201)],
  ])(
    'when the cursor is %s, then returns 400 pointing at /cursor in the query',
    async (_case, cursor) => {
      const me = await signUp(t.http);
      expectInvalid(await listUsers(me, { cursor }), 'query', '/cursor');
    },
  );

  it('when a cursor this API issued is tampered with, then returns 400 pointing at /cursor', async () => {
    const me = await signUp(t.http);
    await register(t.http);
    const issued = (await page(me, 1)).next_cursor!;
    const tampered = `x${issued.slice(1)}`;
    expectInvalid(await listUsers(me, { cursor: tampered }), 'query', '/cursor');
  });

  it('when users are added while paging with limit=2, then every earlier user appears once, in id order', async () => {
    const me = await signUp(t.http);
    const before = await registerMany(7);
    const seen: number[] = [];
    const added: number[] = [];
    let cursor = await cursorOfPageHolding(me, before[0]!);
    let last: UserPage;
    do {
      last = await page(me, 2, cursor);
      seen.push(...last.items.map((user) => user.id));
      if (last.next_cursor !== null) expect(last.items).toHaveLength(2);
      // Once the walk is inside our users, more users sign up.
      if (added.length === 0 && seen.includes(before[2]!)) added.push(...(await registerMany(3)));
      cursor = last.next_cursor ?? undefined;
    } while (last.next_cursor !== null);

    expect(added).toHaveLength(3);
    expect(last.items.length).toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
    const mine = new Set([...before, ...added]);
    expect(seen.filter((id) => mine.has(id))).toEqual([...before, ...added]);
  });

  it('when a user is on the last page, then next_cursor is null', async () => {
    const me = await signUp(t.http);
    let cursor = await cursorOfPageHolding(me, me.id);
    let current: UserPage;
    do {
      current = await page(me, 100, cursor);
      cursor = current.next_cursor ?? undefined;
    } while (current.next_cursor !== null);
    expect(current.items.length).toBeGreaterThan(0);
    expect(current.items.map((user) => user.id)).toContain(me.id);
  });

  it('when there is no token, then returns 401', async () => {
    expectProblem(await t.http.get(USERS), 401, 'unauthorized');
  });
});

describe('GET /users/{user_id}', () => {
  function fetchUser(viewer: Account, id: number | string, ifNoneMatch?: string) {
    const req = t.http.get(`${USERS}/${id}`).set(viewer.auth);
    return ifNoneMatch === undefined ? req : req.set('If-None-Match', ifNoneMatch);
  }

  it('when the user exists, then returns 200 with a strong ETag and Cache-Control: private, no-cache', async () => {
    const viewer = await signUp(t.http);
    const other = await signUp(t.http, { name: 'Ada' });
    const res = await fetchUser(viewer, other.id).expect(200);
    expect(res.body).toMatchObject({ id: other.id, name: 'Ada' });
    expect(res.body).not.toHaveProperty('email');
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    expect(res.headers['cache-control']).toBe('private, no-cache');
  });

  it('when If-None-Match matches, then returns 304 without a body, also for W/ and lists', async () => {
    const viewer = await signUp(t.http);
    const etag = (await fetchUser(viewer, viewer.id).expect(200)).headers.etag!;
    for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, `W/"nope",W/${etag}`, '*']) {
      const res = await fetchUser(viewer, viewer.id, header);
      expect({ header, status: res.status }).toEqual({ header, status: 304 });
      expect(res.text ?? '').toBe('');
      expect(res.headers.etag).toBe(etag);
    }
  });

  it('when If-None-Match does not match, then returns 200', async () => {
    const viewer = await signUp(t.http);
    await fetchUser(viewer, viewer.id, '"something-else"').expect(200);
  });

  it('when the user changes their name, then the ETag changes and the old one no longer matches', async () => {
    const viewer = await signUp(t.http);
    const other = await signUp(t.http);
    const first = (await fetchUser(viewer, other.id).expect(200)).headers.etag!;
    await t.http.patch(`${USERS}/me`).set(other.auth).send({ name: 'Renamed' }).expect(200);

    const res = await fetchUser(viewer, other.id, first).expect(200);
    expect(res.body.name).toBe('Renamed');
    expect(res.headers.etag).not.toBe(first);
    await fetchUser(viewer, other.id, res.headers.etag).expect(304);
  });

  it('when HEAD is sent, then returns 200 with the ETag and no body', async () => {
    const viewer = await signUp(t.http);
    const etag = (await fetchUser(viewer, viewer.id).expect(200)).headers.etag;
    const res = await t.http.head(`${USERS}/${viewer.id}`).set(viewer.auth).expect(200);
    expect(res.headers.etag).toBe(etag);
    expect(res.text ?? '').toBe('');
  });

  it.each(['abc', '0', '-1', '1.5', '9007199254740992'])(
    'when the id is %s, then returns 400 pointing at /user_id in the path',
    async (id) => {
      const viewer = await signUp(t.http);
      expectInvalid(await fetchUser(viewer, id), 'path', '/user_id');
    },
  );

  it('when the id is an integer in another notation, then returns 400 pointing at /user_id', async () => {
    const viewer = await signUp(t.http);
    expectInvalid(await fetchUser(viewer, `${viewer.id}.0`), 'path', '/user_id');
    expectInvalid(await fetchUser(viewer, '9e15'), 'path', '/user_id');
  });

  it('when no user has the id, then returns 404', async () => {
    const viewer = await signUp(t.http);
    expectProblem(await fetchUser(viewer, 9007199254740991), 404, 'not-found');
  });

  it('when there is no token, then returns 401', async () => {
    const user = await register(t.http);
    expectProblem(await t.http.get(`${USERS}/${user.id}`), 401, 'unauthorized');
  });
});
