export interface RenderedMail {
  subject: string;
  text: string;
}

/** Longer names are cut: a greeting is no place for a message. */
const MAX_NAME_CHARACTERS = 60;
/** A scheme (`https:`, `mailto:`), `www.`, an address, or a dotted host name (`evil.example`). */
const LINK_LIKE = /[a-z][a-z0-9+.-]*:|www\.|@|[\p{L}\p{N}-]\.[\p{L}\p{N}-]{2,}/iu;

/**
 * The greeting line with user-supplied text made harmless: mails are plain text, the name is one
 * line (control characters and line breaks become spaces), cut short, and left out entirely when
 * anything in it could be shown as a link — a name is not a way to send anyone a message.
 */
export function greeting(name: string): string {
  const line = name
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_NAME_CHARACTERS)
    .trim();
  return line && !LINK_LIKE.test(line) ? `Hello ${line},` : 'Hello,';
}

export function welcomeMail(name: string, token: string, baseUrl: string): RenderedMail {
  return {
    subject: 'Welcome to Inkwell — confirm your e-mail',
    text: [
      greeting(name),
      '',
      'Welcome to Inkwell. Confirm this address with the token below (valid for 48 hours):',
      '',
      `  ${token}`,
      '',
      'For example:',
      `  curl -X POST ${baseUrl}/api/v1/auth/verify-email -H 'Content-Type: application/json' -d '{"token":"${token}"}'`,
      '',
      'If you did not sign up, ignore this e-mail.',
    ].join('\n'),
  };
}

export function passwordResetMail(
  name: string,
  token: string,
  baseUrl: string,
  minutes: number,
): RenderedMail {
  return {
    subject: 'Reset your Inkwell password',
    text: [
      greeting(name),
      '',
      `Someone asked to reset your password. This token works once, for ${minutes} minutes:`,
      '',
      `  ${token}`,
      '',
      'For example:',
      `  curl -X POST ${baseUrl}/api/v1/auth/password-reset/confirm -H 'Content-Type: application/json' -d '{"token":"${token}","new_password":"…"}'`,
      '',
      'Resetting ends every signed-in session. If it was not you, ignore this e-mail.',
    ].join('\n'),
  };
}
