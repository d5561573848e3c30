import type { AccountService, AuthService } from './modules/auth';
import type { ExportService } from './modules/exports';
import type { HealthService } from './modules/health';
import type { MailService } from './modules/mail';
import type { PostService } from './modules/posts';
import type { SessionService } from './modules/sessions';
import type { UserService } from './modules/users';

/** What the doors (HTTP handlers, jobs, CLI) call; the composition root builds it. */
export interface Services {
  users: UserService;
  accounts: AccountService;
  auth: AuthService;
  sessions: SessionService;
  posts: PostService;
  mail: MailService;
  exports: ExportService;
  health: HealthService;
}
