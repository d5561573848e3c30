import type { Knex } from 'knex';
import type { Mailer } from '../../platform/mailer';
import type { AccountService } from '../auth';
import type { UserService } from '../users';
import { EmailRepository } from './email-repository';
import { MailService } from './mail-service';

export interface MailModuleDeps {
  knex: Knex;
  mailer: Mailer;
  users: UserService;
  accounts: AccountService;
  /** Base of the links in e-mails; its host name also ends every Message-ID. */
  publicBaseUrl: string;
}

export function createMailModule(deps: MailModuleDeps) {
  const mail = new MailService({
    mailer: deps.mailer,
    emails: new EmailRepository(deps.knex),
    users: deps.users,
    accounts: deps.accounts,
    baseUrl: deps.publicBaseUrl,
    messageIdDomain: new URL(deps.publicBaseUrl).hostname,
  });
  return { mail };
}
