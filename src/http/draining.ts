import type { NextFunction, Request, Response } from 'express';

/**
 * Shutdown's part in HTTP: once started, every response not yet begun asks its client to close
 * the connection (`Connection: close`), those in flight included, so kept-alive connections end
 * after the request they carry instead of being reused, and no idle connection has to be cut
 * under a client about to send on it.
 */
export class Draining {
  private active = false;
  private readonly open = new Set<Response>();

  start(): void {
    this.active = true;
    for (const res of this.open) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  middleware() {
    return (_req: Request, res: Response, next: NextFunction) => {
      if (this.active) res.setHeader('Connection', 'close');
      else {
        this.open.add(res);
        res.once('close', () => this.open.delete(res));
      }
      next();
    };
  }
}
