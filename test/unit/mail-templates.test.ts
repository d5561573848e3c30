import { passwordResetMail, welcomeMail } from '../../src/modules/mail/templates';

const TOKEN = 'q3RzW9x1b7V2mKc0pL5nY8tE4uA6sD2fG1hJ3kZ9xC0';
const BASE = 'https://inkwell.example';

describe('mail templates', () => {
  it.each([
    ['Account suspended, verify at https://evil.example/login'],
    ['Verify at evil.example now'],
    ['write to support@evil.example'],
    ['see www.evil'],
    ['mailto:x'],
  ])('when the name %j could show as a link, then it is left out', (name) => {
    for (const mail of [welcomeMail(name, TOKEN, BASE), passwordResetMail(name, TOKEN, BASE, 30)]) {
      expect(mail.text.startsWith('Hello,\n')).toBe(true);
      expect(mail.text).not.toContain('evil');
    }
  });

  it('when the name holds line breaks and control characters, then it is one plain line', () => {
    const mail = welcomeMail('Ada\r\n\r\nYour account\u2028is\tlocked', TOKEN, BASE);
    expect(mail.text.split('\n')[0]).toBe('Hello Ada Your account is locked,');
  });

  it('when the name is very long, then the greeting is cut short', () => {
    const mail = welcomeMail('Ada '.repeat(50), TOKEN, BASE);
    expect(mail.text.split('\n')[0]!.length).toBeLessThanOrEqual('Hello ,'.length + 60);
  });

  it('when the name is an ordinary one, then it greets by it', () => {
    expect(welcomeMail('Ada Lovelace', TOKEN, BASE).text.split('\n')[0]).toBe(
      'Hello Ada Lovelace,',
    );
    expect(welcomeMail('Jean-Luc Picard Jr.', TOKEN, BASE).text.split('\n')[0]).toBe(
      'Hello Jean-Luc Picard Jr.,',
    );
  });
});
