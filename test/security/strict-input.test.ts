import { signUp, type Account } from '../helpers/factories';
import { expectInvalid, expectProblem } from '../helpers/problems';
import { startTestApp, type TestApp } from '../helpers/test-app';

describe('strict input', () => {
  let t: TestApp;
  let me: Account;
  let postId: number;
  beforeAll(async () => {
    t = await startTestApp();
    me = await signUp(t.http);
    const post = await t.http
      .post('/api/v1/posts')
      .set(me.auth)
      .send({ title: 'T', body: 'B' })
      .expect(201);
    postId = post.body.id;
  });
  afterAll(() => t.close());

  it.each(['0x1', '1.0', '%201', '1e0', '+1', '01x'])(
    'when a post id is written %j, then returns 400 pointing at /post_id',
    async (written) => {
      const id = written.replace('1', String(postId));
      expectInvalid(await t.http.get(`/api/v1/posts/${id}`).set(me.auth), 'path', '/post_id');
    },
  );

  it('when the id is plain digits, then it is found', async () => {
    await t.http.get(`/api/v1/posts/${postId}`).set(me.auth).expect(200);
  });

  it.each(['0x14', '20.0', ' 20'])(
    'when limit is written %j, then returns 400 pointing at /limit',
    async (limit) => {
      const res = await t.http.get('/api/v1/posts').query({ limit }).set(me.auth);
      expectInvalid(res, 'query', '/limit');
    },
  );

  it('when 1,000 unknown query parameters are sent, then at most 20 issues are listed with a count of the rest', async () => {
    const query = Array.from({ length: 1000 }, (_, i) => `p${i}=x`).join('&');
    const res = await t.http.get(`/api/v1/posts?${query}`).set(me.auth);
    expectProblem(res, 400, 'validation-failed');
    expect(res.body.errors).toHaveLength(20);
    expect(res.body.detail).toMatch(/1000 invalid values.*and 980 more/);
    expect(res.text.length).toBeLessThan(8_000);
  });
});
