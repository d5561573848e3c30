import { randomUUID } from 'node:crypto';
import { DomainError } from '../../src/kernel/domain-error';
import { PostRepository } from '../../src/modules/posts/post-repository';
import { queriesDuring } from '../helpers/sql-log';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The statements of one turn of the event loop: reads by id in one statement, the same page read
 * once, the posts created in one insert, each caller still getting its own answer.
 */
describe('reads and writes of one turn of the event loop, batched', () => {
  let t: TestApp;
  let posts: PostRepository;
  let authorId: number;

  beforeAll(async () => {
    t = await startTestApp();
    posts = new PostRepository(t.container.database.knex);
    const email = `batch-${randomUUID()}@example.com`;
    [{ id: authorId }] = await t.container.database
      .knex('users')
      .insert({ email, email_key: email, name: 'Author', password_hash: 'x' })
      .returning('id');
  });

  afterAll(() => t.close());

  const statements = (during: () => Promise<unknown>) =>
    queriesDuring(t.container.database.knex, ['posts'], during);

  it('given posts created in one turn, when they are inserted, then by one statement, each caller getting its own row in the order asked', async () => {
    // What an array literal must escape, and what it must not read as a null.
    const awkward = ['"quoted", {braces}', 'back\\slash', 'NULL', 'emoji 📝 and İ', ' ', 'a,b'];
    const titles = [...awkward];
    let created: Awaited<ReturnType<PostRepository['create']>>[] = [];
    const seen = await statements(async () => {
      created = await Promise.all(
        titles.map((title, i) => posts.create({ authorId, title, body: `body ${i}` })),
      );
    });
    expect(seen.filter((q) => /^insert/i.test(q.sql))).toHaveLength(1);
    expect(created.map((post) => post.title)).toEqual(titles);
    expect(created.map((post) => post.body)).toEqual(titles.map((_, i) => `body ${i}`));
    expect(new Set(created.map((post) => post.id)).size).toBe(titles.length);
    for (const post of created) {
      expect((await posts.findById(post.id))?.title).toBe(post.title);
    }
  });

  it('given one post of a batch whose author does not exist, when the batch is inserted, then only that one fails', async () => {
    const results = await Promise.allSettled([
      posts.create({ authorId, title: 'kept 1', body: '' }),
      posts.create({ authorId: 2_000_000_000, title: 'orphan', body: '' }),
      posts.create({ authorId, title: 'kept 2', body: '' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = (results[1] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(DomainError);
    expect((results[0] as PromiseFulfilledResult<{ title: string }>).value.title).toBe('kept 1');
    expect((results[2] as PromiseFulfilledResult<{ title: string }>).value.title).toBe('kept 2');
  });

  it('given reads by id in one turn, when they run, then one statement reads them all, a missing id included', async () => {
    const made = await Promise.all(
      [1, 2, 3].map((i) => posts.create({ authorId, title: `read ${i}`, body: '' })),
    );
    let found: Array<{ id: number; title: string } | undefined> = [];
    const seen = await statements(async () => {
      found = await Promise.all([
        ...made.map((post) => posts.findById(post.id)),
        posts.findById(0),
      ]);
    });
    expect(seen).toHaveLength(1);
    expect(found.map((post) => post?.title)).toEqual(['read 1', 'read 2', 'read 3', undefined]);
  });

  it('given the same page asked for twice in one turn and another page, when they run, then each distinct page is read once', async () => {
    let pages: Array<Array<{ id: number }>> = [];
    const seen = await statements(async () => {
      pages = await Promise.all([
        posts.listBefore(undefined, 5, authorId),
        posts.listBefore(undefined, 5, authorId),
        posts.listBefore(undefined, 2, authorId),
      ]);
    });
    expect(seen).toHaveLength(2);
    expect(pages[0]).toEqual(pages[1]);
    expect(pages[0]).toHaveLength(5);
    expect(pages[2]!.map((post) => post.id)).toEqual(pages[0]!.slice(0, 2).map((post) => post.id));
  });

  it('given a write answered, when the next turn reads, then it sees the write', async () => {
    const post = await posts.create({ authorId, title: 'fresh', body: '' });
    const [newest] = await posts.listBefore(undefined, 1, authorId);
    expect(newest?.id).toBe(post.id);
  });
});
