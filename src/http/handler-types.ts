import type { IncomingHttpHeaders } from 'node:http';
import type { operations } from '../../generated/openapi';
import type { Services } from '../services';
import type { Principal } from '../kernel/principal';
import { AppError } from './app-error';
import type { Logger } from '../platform/logger';

export type OperationId = keyof operations;
type Operation<Id extends OperationId> = operations[Id];
type Responses<Id extends OperationId> = Operation<Id>['responses'];

type ParamsOf<
  Id extends OperationId,
  In extends 'path' | 'query',
> = Operation<Id>['parameters'] extends { [K in In]?: infer P }
  ? [P] extends [never]
    ? Record<string, never>
    : NonNullable<P>
  : never;

type BodyOf<Id extends OperationId> =
  Operation<Id> extends { requestBody: { content: infer C } } ? C[keyof C] : undefined;

/** What a handler reads: validated and coerced by openapi-backend before the handler runs. */
export interface OperationRequest<Id extends OperationId> {
  params: ParamsOf<Id, 'path'>;
  query: ParamsOf<Id, 'query'>;
  headers: IncomingHttpHeaders;
  body: BodyOf<Id>;
}

type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
type HeadersPart<R> = R extends { headers: infer H }
  ? [KnownKeys<H>] extends [never]
    ? { headers?: Record<string, string> }
    : { headers: { [K in KnownKeys<H>]: string } & Partial<Record<string, string>> }
  : { headers?: Record<string, string> };
/** A JSON document of type T sent in pieces, for bodies too large to build in memory. */
export interface JsonStream<T> extends AsyncIterable<string> {
  readonly of?: T;
}

type BodyPart<R> = R extends { content: infer C }
  ? { body: C[keyof C] } | { body?: undefined; stream: JsonStream<C[keyof C]> }
  : { body?: undefined };

/** Only a status the contract documents for the operation, with its body and required headers. */
export type OperationResult<Id extends OperationId> = {
  [S in keyof Responses<Id>]: { status: S } & BodyPart<Responses<Id>[S]> &
    HeadersPart<Responses<Id>[S]>;
}[keyof Responses<Id>];

export interface HandlerContext {
  services: Services;
  principal: Principal | undefined;
  requestId: string;
  clientAddress: string;
  logger: Logger;
}

export type Handler<Id extends OperationId> = (
  request: OperationRequest<Id>,
  context: HandlerContext,
) => Promise<OperationResult<Id>>;

export type HandlerMap = { [Id in OperationId]: Handler<Id> };

/** The principal of an operation the contract secures; the security handler has already run. */
export function principalOf(context: HandlerContext): Principal {
  if (!context.principal) throw new AppError('unauthorized', 'Authentication is required.');
  return context.principal;
}
