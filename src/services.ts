import type { AuthService } from './modules/auth/auth-service';
import type { SessionService } from './modules/auth/session-service';
import type { ExportService } from './modules/exports/export-service';
import type { HealthService } from './modules/health/health-service';
import type { MailService } from './modules/mail/mail-service';
import type { PostService } from './modules/posts/post-service';
import type { AccountService } from './modules/users/account-service';
import type { UserService } from './modules/users/user-service';

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
