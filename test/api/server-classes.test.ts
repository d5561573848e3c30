import { requestListenerOf } from '../../src/app';
import { signUp } from '../helpers/factories';
import { contractClient } from '../helpers/http-client';
import { startTestApp, type TestApp } from '../helpers/test-app';

describe("the server's request and response classes", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(() => t.close());

  const prototypeChanges = (spy: jest.SpyInstance) =>
    spy.mock.calls.filter(([, proto]) => proto === t.app.request || proto === t.app.response);

  it('given the server npm start makes, when an operation of the contract is served, then no request or response changes its prototype', async () => {
    const account = await signUp(t.http);
    const spy = jest.spyOn(Object, 'setPrototypeOf');
    try {
      const res = await t.http.get('/api/v1/users/me').set(account.auth);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(account.id);
      expect(prototypeChanges(spy)).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it("given a plain node:http server with the app's listener, when it serves, then its requests and responses get express's prototypes as express gives them", async () => {
    const account = await signUp(t.http);
    const plain = contractClient(requestListenerOf(t.app));
    const spy = jest.spyOn(Object, 'setPrototypeOf');
    try {
      const res = await plain.get('/api/v1/users/me').set(account.auth);
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBeDefined();
      expect(prototypeChanges(spy)).toHaveLength(2);
      const document = await plain.get('/openapi.json');
      expect(document.status).toBe(200);
    } finally {
      spy.mockRestore();
    }
  });
});
