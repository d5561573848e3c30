import type { HandlerMap } from './handler-types';
import { login } from './handlers/auth/login';
import { logout } from './handlers/auth/logout';
import { refreshToken } from './handlers/auth/refresh-token';
import { requestPasswordReset } from './handlers/auth/request-password-reset';
import { resetPassword } from './handlers/auth/reset-password';
import { verifyEmail } from './handlers/auth/verify-email';
import { health } from './handlers/health/health';
import { readiness } from './handlers/health/readiness';
import { exportMyData } from './handlers/jobs/export-my-data';
import { getJob } from './handlers/jobs/get-job';
import { getJobResult } from './handlers/jobs/get-job-result';
import { createPost } from './handlers/posts/create-post';
import { deletePost } from './handlers/posts/delete-post';
import { getPost } from './handlers/posts/get-post';
import { listPosts } from './handlers/posts/list-posts';
import { updatePost } from './handlers/posts/update-post';
import { createUser } from './handlers/users/create-user';
import { deleteMe } from './handlers/users/delete-me';
import { getMe } from './handlers/users/get-me';
import { getUser } from './handlers/users/get-user';
import { listUsers } from './handlers/users/list-users';
import { updateMe } from './handlers/users/update-me';

/** Every operationId of the contract, exactly once: a missing or extra entry fails `tsc`. */
export const operationHandlers = {
  createUser,
  listUsers,
  getMe,
  updateMe,
  deleteMe,
  getUser,
  createPost,
  listPosts,
  getPost,
  updatePost,
  deletePost,
  login,
  refreshToken,
  logout,
  verifyEmail,
  requestPasswordReset,
  resetPassword,
  exportMyData,
  getJob,
  getJobResult,
  health,
  readiness,
} satisfies HandlerMap;
