import type { ServerResponse } from 'node:http';

/**
 * Shutdown's part in HTTP: once started, every response not yet begun asks its client to close
 * the connection (`Connection: close`), those in flight included, so kept-alive connections end
 * after the request they carry instead of being reused, and no idle connection has to be cut
 * under a client about to send on it.
 */
export class Draining {
  private active = false;

  start(): void {
    this.active = true;
  }

  /** Whether responses ask to close the connection now. */
  get closing(): boolean {
    return this.active;
  }

  /** Called as a response begins, and again just before it is written. */
  mark(res: ServerResponse): void {
    if (this.active && !res.headersSent) res.setHeader('Connection', 'close');
  }
}
