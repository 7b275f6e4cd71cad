// Module facts read from the parse a lint already made (engine `onTree`), so a lint run never
// parses a file twice for the repository context. Files outside the repository have none.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { NixFile } from '../nix-ast/file.js';
import { EMPTY_FACTS, hasFacts, type ModuleFacts, moduleFactsOfTree } from './facts.js';

export interface LintedFileSetup {
  root: string;
  cwd: string;
  /** The flake, repo-relative. */
  flake: string;
}

/** The file's path in its repository (`/`-separated), or undefined when it lies outside. */
export function repoPathOf(file: string, at: Pick<LintedFileSetup, 'root' | 'cwd'>): string | undefined {
  const rel = relative(at.root, resolve(at.cwd, file));
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : rel.split(sep).join('/');
}

export function factsOfLinted(file: NixFile, setup: LintedFileSetup): ModuleFacts | undefined {
  const path = repoPathOf(file.path, setup);
  if (path === undefined) return undefined;
  const opts = { flake: path === setup.flake };
  return hasFacts(file.source, opts) ? moduleFactsOfTree(path, file.tree, opts) : EMPTY_FACTS;
}
