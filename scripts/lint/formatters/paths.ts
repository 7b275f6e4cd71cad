import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * A finding's file relative to the repository root with forward slashes, as GitHub and
 * SARIF want it; undefined when the file lies outside the root (then only an absolute path
 * names it).
 */
export function repoRelative(file: string, cwd: string, root: string): string | undefined {
  const rel = relative(root, resolve(cwd, file));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}
