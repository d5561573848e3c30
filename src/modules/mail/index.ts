export { MailService } from './mail-service';
export { createMailModule, type MailModuleDeps } from './mail-module';
export { Undeliverable } from './undeliverable';
