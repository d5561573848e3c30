export { MailService } from './mail-service';
export { createMailModule } from './mail-module';
export { Undeliverable } from './undeliverable';
