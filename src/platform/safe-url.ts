/** A connection URL fit for a log line or an error message: any password masked. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Why a connection failed, in a few words (`connect ECONNREFUSED 127.0.0.1:5432`). */
export function connectionFailure(error: unknown): string {
  const { errors, message } = (error ?? {}) as { errors?: unknown[]; message?: unknown };
  if (Array.isArray(errors) && errors.length > 0) return connectionFailure(errors[0]);
  return typeof message === 'string' && message ? message : String(error);
}
