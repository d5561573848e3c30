/**
 * An error with a code from a closed list and a sentence for the caller. Two kinds extend it:
 * `DomainError`, what modules throw (the domain's words and facts), and http's `AppError`, what a
 * request ends in (a status, headers, the issues to show).
 */
export abstract class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    readonly detail: string,
    cause?: unknown,
  ) {
    super(detail, { cause });
    this.name = new.target.name;
  }
}
