import { loadConfig } from '../config';
import { createContainer } from '../container';
import type { Role } from '../kernel/role';
import { createLogger } from '../platform/logger';

const USAGE = 'usage: npm run user:role -- <email> <admin|user>';

/** Operator command: grants or removes the admin role. No API path does this. */
async function main(email: string | undefined, role: string | undefined): Promise<void> {
  if (!email || (role !== 'admin' && role !== 'user')) throw new Error(USAGE);
  const config = loadConfig();
  const container = await createContainer(config, createLogger('warn'));
  try {
    const user = await container.services.users.setRole(email, role as Role);
    console.log(`${user.email} (id ${user.id}) is now ${user.role}`);
  } finally {
    await container.close();
  }
}

main(process.argv[2], process.argv[3]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
