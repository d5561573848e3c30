import type { components } from '../../generated/openapi';
import type { Account } from './factories';
import type { ContractClient } from './http-client';

export const POSTS = '/api/v1/posts';

export type PostBody = components['schemas']['Post'];

/** A post of this author, through the API; returns the post and the ETag it was created with. */
export async function createPost(
  http: ContractClient,
  author: Account,
  fields: { title?: string; body?: string } = {},
): Promise<PostBody & { etag: string }> {
  const res = await http
    .post(POSTS)
    .set(author.auth)
    .send({ title: fields.title ?? 'A title', body: fields.body ?? 'Some words.' })
    .expect(201);
  return { ...(res.body as PostBody), etag: res.headers.etag! };
}

/** Several posts of one author, created one after another (so ids rise in creation order). */
export async function createPosts(
  http: ContractClient,
  author: Account,
  count: number,
): Promise<PostBody[]> {
  const posts: PostBody[] = [];
  for (let i = 0; i < count; i += 1) posts.push(await createPost(http, author, { title: `#${i}` }));
  return posts;
}
