import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import request, { type Response, type Test } from 'supertest';
import { assertConforms } from './contract-validator';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete' | 'head' | 'options';

/** supertest, with every response checked against the contract before the test sees it. */
export type ContractClient = Record<Method, (url: string) => Test>;

export function contractClient(
  app: Express | RequestListener | string,
  options: { record?: boolean } = {},
): ContractClient {
  const agent = request(app);
  const wrap = (method: Method) => (url: string) => {
    const test = agent[method](url);
    const then = test.then.bind(test);
    test.then = ((
      onFulfilled?: (res: Response) => unknown,
      onRejected?: (reason: unknown) => unknown,
    ) =>
      then(async (res: Response) => {
        await assertConforms(
          {
            method,
            path: url,
            status: res.status,
            headers: res.headers,
            text: res.text ?? '',
          },
          options,
        );
        return res;
      }).then(onFulfilled, onRejected)) as Test['then'];
    return test;
  };
  return {
    get: wrap('get'),
    post: wrap('post'),
    patch: wrap('patch'),
    put: wrap('put'),
    delete: wrap('delete'),
    head: wrap('head'),
    options: wrap('options'),
  };
}
