/** A failure that another attempt cannot fix (e.g. an SMTP 5xx): the job is not retried. */
export class PermanentFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentFailure';
  }
}
