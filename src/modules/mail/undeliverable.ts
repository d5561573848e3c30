/** The mail server refused the message for good (an SMTP 5xx): another attempt cannot help. */
export class Undeliverable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Undeliverable';
  }
}
