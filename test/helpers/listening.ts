import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { assertConforms } from './contract-validator';

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1, for clients that need a real URL (an SDK, a browser). */
export async function listen(app: Express): Promise<Listening> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) =>
    server.once('listening', resolve).once('error', reject),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** fetch, with every response checked against the contract (and recorded for its coverage). */
export function contractCheckedFetch(): (request: Request) => Promise<Response> {
  return async (request) => {
    const response = await fetch(request);
    const url = new URL(request.url);
    await assertConforms({
      method: request.method,
      path: url.pathname + url.search,
      status: response.status,
      headers: Object.fromEntries(response.headers),
      text: await response.clone().text(),
    });
    return response;
  };
}
