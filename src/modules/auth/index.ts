export { AccountService } from './account-service';
export { AuthService } from './auth-service';
export type { TokenPurpose } from './user-token-repository';
export { createAuthModule } from './auth-module';
