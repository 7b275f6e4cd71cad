// Finds the package's schemas/ folder whether we run from source (scripts/…) or bundled (dist/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function schemasDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, 'tappaas.schema.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('schemas/ folder not found beside the toolkit');
}

const cache = new Map<string, object>();

export function loadSchema(name: string): object {
  let schema = cache.get(name);
  if (!schema) {
    schema = JSON.parse(readFileSync(join(schemasDir(), name), 'utf8')) as object;
    cache.set(name, schema);
  }
  return schema;
}
