import type { Operation } from 'openapi-backend';

/** Where a request went: its operation and raw path parameters, or why none matched. */
export type RouteMatch<T> =
  { found: T; params: Record<string, string> } | { found: undefined; pathMatched: boolean };

interface Template<T> {
  entry: T;
  method: string;
  pattern: RegExp;
  names: string[];
  specificity: number;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * The contract's routing table, compiled once from openapi-backend's operation list: exact paths in
 * a map, path templates as regular expressions ordered by specificity. Answers as openapi-backend's
 * router does (exact paths first, then templates; trailing slashes ignored; 404 when no path
 * matches, 405 when no method does) without re-deriving anything per request.
 */
export class OperationRouter<T extends { operation: Operation }> {
  private readonly exact = new Map<string, T>();
  private readonly exactPaths = new Set<string>();
  private readonly templates: Template<T>[];

  constructor(entries: T[]) {
    const templates: Template<T>[] = [];
    for (const entry of entries) {
      const { path, method } = entry.operation;
      if (!path.includes('{')) {
        this.exact.set(`${method} ${path}`, entry);
        this.exactPaths.add(path);
      }
      templates.push(compileTemplate(entry));
    }
    this.templates = templates.sort((a, b) => b.specificity - a.specificity);
  }

  /** `method` in lower case (HEAD already turned into get); `path` without the query. */
  match(method: string, rawPath: string): RouteMatch<T> {
    const path = normalizePath(rawPath);
    const hit = this.exact.get(`${method} ${path}`);
    if (hit) return { found: hit, params: NO_PARAMS };
    let pathMatched = this.exactPaths.has(path);
    for (const template of this.templates) {
      const match = template.pattern.exec(path);
      if (!match) continue;
      if (template.method === method)
        return { found: template.entry, params: paramsOf(template, match) };
      pathMatched = true;
    }
    return { found: undefined, pathMatched };
  }

  /** The methods the path is served with, for a 405's `Allow` (HEAD wherever GET is). */
  allowedMethods(rawPath: string): string {
    const path = normalizePath(rawPath);
    const methods = this.templates
      .filter((template) => template.pattern.test(path))
      .map((template) => template.method.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    return [...new Set(methods)].join(', ');
  }
}

function normalizePath(raw: string): string {
  let path = raw.trim();
  if (!path.startsWith('/')) path = `/${path}`;
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

function compileTemplate<T extends { operation: Operation }>(entry: T): Template<T> {
  const { path, method } = entry.operation;
  const names: string[] = [];
  const source = path
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('');
  return {
    entry,
    method,
    pattern: new RegExp(`^${source}$`),
    names,
    specificity: path.replace(/\{.*?\}/g, '').length,
  };
}

function paramsOf<T>(template: Template<T>, match: RegExpExecArray): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.names.length; i++) {
    const raw = match[i + 1] ?? '';
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // A malformed escape is left as sent, for validation to refuse.
    }
    params[template.names[i]!] = value;
  }
  return params;
}
