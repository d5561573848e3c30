import type { OpenAPIV3 } from 'openapi-types';
import { createApi, type ApiDeps, type ApiHooks } from '../../src/http/create-api';
import type { HandlerMap } from '../../src/http/handler-types';
import { operationHandlers } from '../../src/http/operation-handlers';
import { loadContract } from '../../src/platform/contract';
import { createLogger } from '../../src/platform/logger';

const deps = {
  services: {},
  logger: createLogger('silent'),
  authenticate: async () => {
    throw new Error('not used');
  },
} as unknown as ApiDeps;
const hooks = {} as unknown as ApiHooks;

describe('startup checks of the contract and the handler map', () => {
  it('when every operation has a handler, then the API initialises', async () => {
    await expect(createApi(loadContract(), operationHandlers, deps, hooks)).resolves.toBeDefined();
  });

  it('when an operationId has no handler, then startup fails naming it', async () => {
    const { health: _health, ...withoutHealth } = operationHandlers;
    await expect(
      createApi(loadContract(), withoutHealth as unknown as HandlerMap, deps, hooks),
    ).rejects.toThrow(/health/);
  });

  it('when a handler has no operation in the contract, then startup fails', async () => {
    const extra = { ...operationHandlers, getUnicorn: operationHandlers.health };
    await expect(
      createApi(loadContract(), extra as unknown as HandlerMap, deps, hooks),
    ).rejects.toThrow(/getUnicorn/);
  });

  it('when the contract is not valid OpenAPI, then startup fails', async () => {
    const broken = { ...loadContract(), paths: { '/x': { get: { operationId: 'health' } } } };
    await expect(
      createApi(broken as unknown as OpenAPIV3.Document, operationHandlers, deps, hooks),
    ).rejects.toThrow(/not valid OpenAPI/);
  });
});
