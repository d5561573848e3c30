export interface RenderedMail {
  subject: string;
  text: string;
}

export function welcomeMail(name: string, token: string, baseUrl: string): RenderedMail {
  return {
    subject: 'Welcome to Inkwell — confirm your e-mail',
    text: [
      `Hello ${name},`,
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
      `Hello ${name},`,
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
