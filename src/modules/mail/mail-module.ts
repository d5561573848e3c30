import type { Knex } from 'knex';
import type { Mailer } from '../../platform/mailer';
import type { AccountService } from '../auth';
import type { UserService } from '../users';
import { EmailRepository } from './email-repository';
import { MailService } from './mail-service';

export interface MailPlatform {
  knex: Knex;
  mailer: Mailer;
}

export interface MailSettings {
  /** Base of the links in e-mails; its host name also ends every Message-ID. */
  publicBaseUrl: string;
}

export interface MailUses {
  users: UserService;
  accounts: AccountService;
}

export function createMailModule(platform: MailPlatform, settings: MailSettings, uses: MailUses) {
  const mail = new MailService({
    mailer: platform.mailer,
    emails: new EmailRepository(platform.knex),
    ...uses,
    baseUrl: settings.publicBaseUrl,
    messageIdDomain: new URL(settings.publicBaseUrl).hostname,
  });
  return { mail };
}
