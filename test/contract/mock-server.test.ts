import type { Express } from 'express';
import { createMockServer } from '../../src/mock/mock-server';
import {
  contractOperations,
  exampleRequest,
  type ContractOperation,
} from '../helpers/contract-operations';
import { contractClient, type ContractClient } from '../helpers/http-client';
import { expectInvalid, expectProblem } from '../helpers/problems';

// The mock's answers are checked against the contract like the real server's, but not counted
// towards its coverage.
let app: Express;
let http: ContractClient;
let operations: ContractOperation[];
const BEARER = { Authorization: 'Bearer any-token-will-do' };

beforeAll(async () => {
  app = await createMockServer();
  http = contractClient(app, { record: false });
  operations = await contractOperations();
});

type Method = 'get' | 'post' | 'patch' | 'delete';

function call(operation: ContractOperation, headers: Record<string, string> = {}) {
  const example = exampleRequest(operation);
  let test = http[operation.method as Method](example.url)
    .set({ ...(operation.secured ? BEARER : {}), ...example.headers, ...headers })
    .ok(() => true);
  if (example.body !== undefined) {
    test = test.type(operation.body?.mediaType === 'application/json' ? 'json' : 'form');
    test = test.send(example.body);
  }
  return test;
}

describe('npm run mock', () => {
  it('when every operation is called with its examples, then each answers its first 2xx from the contract', async () => {
    expect(operations.length).toBeGreaterThanOrEqual(22);
    for (const operation of operations) {
      const success = Math.min(...operation.statuses.filter((status) => status < 300));
      const res = await call(operation);
      expect({ operation: operation.operationId, status: res.status }).toEqual({
        operation: operation.operationId,
        status: success,
      });
    }
  });

  it('when a documented status is asked for with Prefer: code, then every one of them is served', async () => {
    for (const operation of operations) {
      for (const status of operation.statuses) {
        const res = await call(operation, { Prefer: `code=${status}` });
        expect({ operation: operation.operationId, status: res.status }).toEqual({
          operation: operation.operationId,
          status,
        });
        expect(res.headers['preference-applied']).toBe(`code=${status}`);
        if (status >= 400 && operation.path.startsWith('/api/')) expectProblem(res, status);
      }
    }
  });

  it('when an undocumented status is asked for, then the preference is ignored', async () => {
    const res = await http.get('/api/v1/users/me').set(BEARER).set('Prefer', 'code=418');
    expect(res.status).toBe(200);
    expect(res.headers['preference-applied']).toBeUndefined();
  });

  it('when a missing post or job is asked for with Prefer: code=404, then the problem names that resource', async () => {
    const post = await http.get('/api/v1/posts/7').set(BEARER).set('Prefer', 'code=404');
    expectProblem(post, 404, 'not-found');
    expect(post.body.detail).toBe('There is no post 7.');
    const job = await http.get('/api/v1/jobs/12').set(BEARER).set('Prefer', 'code=404');
    expect(job.body.detail).toBe('There is no job 12.');
  });

  it("when the examples are served, then they are the contract's own", async () => {
    const res = await http.post('/api/v1/users').send({
      email: 'grace@example.com',
      password: 'correct horse battery',
      name: 'Grace Hopper',
    });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/api/v1/users/42');
    expect(res.body).toMatchObject({ id: 42, email: 'ada@example.com', role: 'user' });
  });

  it('when a secured operation is called without a token, then it answers 401 with a challenge', async () => {
    const res = await http.get('/api/v1/users/me');
    expectProblem(res, 401, 'unauthorized');
  });

  it('when the body breaks the schema, then it answers 400 naming each field, like the server', async () => {
    const res = await http.post('/api/v1/users').send({
      email: 'not-an-email',
      password: 'correct horse battery',
      name: 'Ada',
      role: 'admin',
    });
    expectInvalid(res, 'body', '/email');
    expectInvalid(res, 'body', '/role');
  });

  it('when a path parameter is not an id, then it answers 400 with a pointer to it', async () => {
    const res = await http.get('/api/v1/posts/seven').set(BEARER);
    expectInvalid(res, 'path', '/post_id');
  });

  it('when the media type is wrong, then it answers 415', async () => {
    const res = await http
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ username: 'ada@example.com', password: 'x' }));
    expectProblem(res, 415, 'unsupported-media-type');
  });

  it('when the body is over the limit, then it answers 413', async () => {
    const res = await http
      .post('/api/v1/posts')
      .set(BEARER)
      .send({ title: 'Big', body: 'x'.repeat(1024 * 1024) });
    expectProblem(res, 413, 'payload-too-large');
  });

  it('when the path or the method is unknown, then it answers 404 or 405 with Allow', async () => {
    expectProblem(await http.get('/api/v1/nothing-here'), 404, 'not-found');
    const res = await http.put('/api/v1/users/me').set(BEARER);
    expectProblem(res, 405, 'method-not-allowed');
    expect(res.headers.allow).toBe('GET, DELETE, PATCH, HEAD');
  });

  it('when a designer opens the docs, then Swagger UI, Redoc and the contract are served, and nothing else', async () => {
    const docs = await http.get('/docs').expect(200);
    expect(docs.text).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(docs.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    const reference = await http.get('/docs/reference').expect(200);
    expect(reference.text).toContain('/docs/assets/redoc.standalone.js');
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'redoc.standalone.js']) {
      await http.get(`/docs/assets/${asset}`).expect(200);
    }
    expectProblem(await http.get('/docs/assets/index.html'), 404, 'not-found');
    expectProblem(await http.get('/docs/assets/constructor'), 404, 'not-found');
    const contract = await http.get('/openapi.json').expect(200);
    expect(contract.body.info.title).toBe('Inkwell API');
  });
});
