import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The enclosing git work tree (where .git is), else `cwd` itself. */
export function repoRoot(cwd: string): string {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(cwd);
    dir = parent;
  }
}
