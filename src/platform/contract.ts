import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { OpenAPIV3 } from 'openapi-types';

/** Finds openapi.yaml at the project root, from sources or from the compiled output. */
export function contractPath(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'openapi.yaml');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('openapi.yaml not found above ' + __dirname);
    dir = parent;
  }
}

export function loadContract(file = contractPath()): OpenAPIV3.Document {
  return parse(readFileSync(file, 'utf8')) as OpenAPIV3.Document;
}
