import type { NextFunction, Request, Response } from 'express';

/**
 * Shutdown's part in HTTP: once started, every response asks its client to close the connection
 * (`Connection: close`), so kept-alive connections end after the request they carry instead of
 * being reused, and no idle connection has to be cut under a client about to send on it.
 */
export class Draining {
  private active = false;

  start(): void {
    this.active = true;
  }

  get started(): boolean {
    return this.active;
  }

  middleware() {
    return (_req: Request, res: Response, next: NextFunction) => {
      if (this.active) res.setHeader('Connection', 'close');
      next();
    };
  }
}
